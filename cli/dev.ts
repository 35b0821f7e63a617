// `fanfare dev`: runs the whole system on embedded defaults and says where to look.
import { startDevStack } from '../dev/run-dev.ts';
import type { Command } from './command.ts';

const USAGE = 'usage: fanfare dev [--fans N] [--creators N] [--seed N]';

export function parseDevArgs(args: string[]): { fans: number; creators: number; seed: number } {
  const out = { fans: 2000, creators: 20, seed: 1 };
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i];
    const value = args[i + 1];
    const flags: Record<string, 'fans' | 'creators' | 'seed'> = { '--fans': 'fans', '--creators': 'creators', '--seed': 'seed' };
    const key = flags[flag];
    if (!key) throw new Error(`unknown argument "${flag}"; ${USAGE}`);
    const n = Number(value);
    if (value === undefined || !/^\d+$/.test(value) || n < (key === 'seed' ? 0 : 1)) throw new Error(`${flag}: must be a positive integer; ${USAGE}`);
    out[key] = n;
  }
  return out;
}

export const command: Command = {
  summary: 'run everything locally: embedded PostgreSQL, Temporal dev server, mail and push capture, demo data',
  async run(args) {
    const stack = await startDevStack(parseDevArgs(args));
    // A creator whose audience heard nothing from it today, and a deadline within the hour, so the policy sends now
    // rather than at a better hour tomorrow, and the captured mail and pushes show up below within seconds.
    const creator = stack.exampleCreatorId;
    const deadline = new Date(Date.now() + 45 * 60_000).toISOString();
    const key = `hello-${Date.now().toString(36)}`;
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
      'Announce a post to creator ' + creator + "'s audience (due within the hour):",
      `  curl -s -X POST ${stack.apiUrl}/api/events -H 'content-type: application/json' \\`,
      `    -d '{"creatorId":${creator},"kind":"post","title":"Hello fans","url":"https://example.com/p/1","audience":"all","idempotencyKey":"${key}","deadline":"${deadline}"}'`,
      `  curl -s ${stack.apiUrl}/api/events/ID      (ID from the answer: decisions by action, deliveries by channel)`,
      '',
      'The admin API (cap policy, audit, replay) takes this run\'s token:',
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
  },
};
