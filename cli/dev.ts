// `fanfare dev`: runs the whole system on embedded defaults and says where to look.
import type { DevStack } from '../dev/run-dev.ts';
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
    ADMIN_TOKEN: 'admin bearer token of the admin API, service:env in the audit (default: one generated per run)',
    ...ENV.links,
    ...ENV.cache,
    ...ENV.temporalCli,
    FANFARE_API_METRICS_ADDRESS:
      'Prometheus /metrics of the one process, or off (default 127.0.0.1:9464, or a free port)',
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
  // Ctrl-C while starting quits at once: the child servers' guardians stop them as this process ends. (Left to Node's
  // default, the signal would be swallowed once the Temporal worker's runtime installs its own handler.)
  const whileStarting = () => {
    process.stderr.write('fanfare dev: stopped while starting\n');
    process.exit(130);
  };
  process.on('SIGINT', whileStarting);
  process.on('SIGTERM', whileStarting);
  const stack = await startDevStack(options);
  process.off('SIGINT', whileStarting);
  process.off('SIGTERM', whileStarting);
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
    `  console         ${stack.apiUrl}/console/ (log in as the first admin, below)`,
    `  Temporal UI     ${stack.uiUrl ?? '(external cluster)'}`,
    `  metrics         ${stack.metricsUrl ?? '(off)'}, Temporal's ${stack.temporalMetricsUrl ?? '(off)'}`,
    `  captured mail   SMTP on 127.0.0.1:${stack.smtpPort}; each message is printed below`,
    `  captured pushes push service at ${stack.pushOrigin}; each decrypted payload is printed below`,
    '',
    `Announce a post to creator ${creator}'s audience (due within the hour), with this run's API key of that creator`,
    '(shown only now; the next run revokes it and makes another):',
    `  export FANFARE_KEY=${stack.creatorKey}`,
    `  curl -s -X POST ${stack.apiUrl}/api/events -H "authorization: Bearer $FANFARE_KEY" \\`,
    `    -H 'content-type: application/json' -d '${body}'`,
    `  curl -s ${stack.apiUrl}/api/events/ID -H "authorization: Bearer $FANFARE_KEY"`,
    '    (ID from the answer: decisions by action, deliveries by channel)',
    '',
    "The admin API (cap policy, audit, replay) takes this run's token:",
    `  curl -s ${stack.apiUrl}/api/admin/policy -H 'authorization: Bearer ${stack.adminToken}'`,
    '',
    `Log in to the console at ${stack.apiUrl}/console/ as the first admin (a new password each run):`,
    `  username  ${stack.admin.username}`,
    `  password  ${stack.admin.password}`,
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  return untilStopped(stack);
});

/** The first Ctrl-C stops everything cleanly within this time, or the process quits anyway. */
export const STOP_DEADLINE_MS = 10_000;
/** Signals this close to the first are the same key press, delivered twice. */
export const SAME_PRESS_MS = 500;

/**
 * Waits for SIGINT or SIGTERM, then stops the stack. A second signal, or the deadline passing, kills the child servers
 * and exits at once (130 after a second signal, 1 after the deadline); a clean stop returns 0 and lets the process end.
 */
function untilStopped(stack: DevStack): Promise<number> {
  const quit = (code: number, why: string) => {
    process.stderr.write(`fanfare dev: ${why}\n`);
    stack.kill();
    process.exit(code);
  };
  return new Promise<number>((resolve, reject) => {
    let first: number | undefined;
    const onSignal = () => {
      if (first === undefined) {
        first = performance.now();
        process.stdout.write(`stopping… (at most ${STOP_DEADLINE_MS / 1000} s; Ctrl-C again to quit at once)\n`);
        // Unref'd and left running after a clean stop: if anything still holds the event loop open, it fires.
        setTimeout(
          () => quit(1, `not stopped within ${STOP_DEADLINE_MS / 1000} s: quitting`),
          STOP_DEADLINE_MS,
        ).unref();
        stack.stop().then(() => {
          process.stdout.write(`stopped in ${((performance.now() - first!) / 1000).toFixed(1)} s\n`);
          resolve(0);
        }, reject);
        return;
      }
      // `npm run dev` forwards the terminal's SIGINT to a process the terminal signals too: one press arrives twice
      // within milliseconds, so only a signal after SAME_PRESS_MS counts as a second Ctrl-C.
      if (performance.now() - first >= SAME_PRESS_MS)
        quit(130, 'quit at once; the Temporal dev server and PostgreSQL were killed');
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
