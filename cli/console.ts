// `fanfare console verify`: the console's kept counts against the same figures counted from the log.
import { consoleReadPairs } from '../db/console-recount.ts';
import { periodQuery, resolvePeriod } from '../http/period.ts';
import { defineCommand, defineGroup, ENV, parseFlags, type Syntax } from './args.ts';
import { withPool } from './pool.ts';
import { columns } from './table.ts';

const VERIFY = {
  command: 'console verify',
  summary: 'check the overview and fatigue counts kept by triggers against a recount of the log (slow: it scans)',
  flags: {
    days: { value: 'N', help: 'the last N days up to today, as the console asks (default 28)' },
    tz: { value: 'ZONE', help: 'the IANA zone days are cut in (default UTC)' },
  },
  env: ENV.database,
  notes: ['Exit status 1 when a read differs. docs/CONSOLE.md, "How the counts are kept", says what is compared.'],
} satisfies Syntax;

const out = (text: string) => process.stdout.write(`${text}\n`);

const verify = defineCommand(VERIFY, async (args) => {
  const line = parseFlags(args, VERIFY);
  const query = periodQuery.safeParse({ days: line.string('days'), tz: line.string('tz') });
  if (!query.success) {
    const issue = query.error.issues[0];
    return line.fail(`--${String(issue.path[0])}: ${issue.message}`);
  }
  const { period } = resolvePeriod(query.data, new Date());
  const whole = period.days.filter((d) => d !== period.partialDay);
  return withPool(VERIFY.command, async (pool) => {
    const reads = consoleReadPairs(pool, {
      start: new Date(period.start),
      end: new Date(period.end),
      zone: period.timeZone,
      days: period.days.length,
      firstDay: whole[0],
      lastDay: whole[whole.length - 1],
    });
    const rows: string[][] = [['read', 'kept ms', 'recount ms', 'same']];
    let differ = 0;
    for (const { read, kept, recount } of reads) {
      let t = performance.now();
      const a = JSON.stringify(await kept());
      const keptMs = performance.now() - t;
      t = performance.now();
      const b = JSON.stringify(await recount());
      const recountMs = performance.now() - t;
      if (a !== b) differ++;
      rows.push([read, keptMs.toFixed(0), recountMs.toFixed(0), a === b ? 'yes' : 'NO']);
    }
    out(`${period.from} to ${period.to} in ${period.timeZone}`);
    out(columns(rows));
    return differ === 0 ? 0 : 1;
  });
});

export const command = defineGroup(
  { command: 'console', summary: "the growth console's kept counts", env: ENV.database },
  { verify },
);
