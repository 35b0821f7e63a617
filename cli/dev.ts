// `fanfare dev`: runs the whole system on embedded defaults and says where to look.
import { defineCommand, ENV, parseFlags, type Syntax } from './args.ts';

const SYNTAX = {
  command: 'dev',
  summary: 'run everything locally: embedded PostgreSQL, Temporal dev server, mail and push capture, demo data',
  flags: {
    fans: { value: 'N', help: 'fans in the demo world (default 2000)' },
    creators: { value: 'N', help: 'creators in the demo world (default 20)' },
    seed: { value: 'N', help: "the demo world's random seed (default 1)" },
  },
  env: {
    DATABASE_URL: 'use this PostgreSQL instead of starting an embedded one',
    TEMPORAL_ADDRESS: 'use this Temporal cluster instead of starting a dev server',
    'PORT, HOST': "the API's listen address (default 8080, or a free port, on 127.0.0.1)",
    ADMIN_TOKEN: 'bearer token of the admin API and console (default: one generated per run)',
    ...ENV.links,
    ...ENV.cache,
    ...ENV.temporalCli,
  },
  notes: ['Every other variable of `fanfare worker --help` and `fanfare api --help` applies as well.'],
} satisfies Syntax;

export function parseDevArgs(args: string[]): { fans: number; creators: number; seed: number } {
  const line = parseFlags(args, SYNTAX);
  return {
    fans: line.integer('fans', { min: 1 }) ?? 2000,
    creators: line.integer('creators', { min: 1 }) ?? 20,
    seed: line.integer('seed', { min: 0 }) ?? 1,
  };
}

export const command = defineCommand(SYNTAX, async (args) => {
  const options = parseDevArgs(args);
  // Loaded only to run: the whole stack's modules take seconds, which --help need not wait for.
  const { startDevStack } = await import('../dev/run-dev.ts');
  const stack = await startDevStack(options);
  // A creator whose audience heard nothing from it today, and a deadline within the hour, so the policy sends now
  // rather than at a better hour tomorrow, and the captured mail and pushes show up below within seconds.
  const creator = stack.exampleCreatorId;
  const deadline = new Date(Date.now() + 45 * 60_000).toISOString();
  const key = `hello-${Date.now().toString(36)}`;
  const body = JSON.stringify({
    creatorId: creator,
    kind: 'post',
    title: 'Hello fans',
    url: 'https://example.com/p/1',
    audience: 'all',
    idempotencyKey: key,
    deadline,
  });
  const lines = [
    '',
    'Fanfare is running.',
    `  API             ${stack.apiUrl}`,
    `  message links   ${stack.config.publicUrl} (the same API over TLS, with a local test certificate)`,
    `  console         ${stack.apiUrl}/console/ (log in with the admin token below)`,
    `  Temporal UI     ${stack.uiUrl ?? '(external cluster)'}`,
    `  captured mail   SMTP on 127.0.0.1:${stack.smtpPort}; each message is printed below`,
    `  captured pushes push service at ${stack.pushOrigin}; each decrypted payload is printed below`,
    '',
    `Announce a post to creator ${creator}'s audience (due within the hour):`,
    `  curl -s -X POST ${stack.apiUrl}/api/events -H 'content-type: application/json' \\`,
    `    -d '${body}'`,
    `  curl -s ${stack.apiUrl}/api/events/ID      (ID from the answer: decisions by action, deliveries by channel)`,
    '',
    "The admin API (cap policy, audit, replay) takes this run's token:",
    `  curl -s ${stack.apiUrl}/api/admin/policy -H 'authorization: Bearer ${stack.adminToken}'`,
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stdout.write('stopping…\n');
  await stack.stop();
  return 0;
});
