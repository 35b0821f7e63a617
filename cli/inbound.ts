// `fanfare inbound serve|report`: the SMTP listener for mail that comes back, and what came back per day.
import { formatAddress, readConfig } from '../app/config.ts';
import { openPool, trackingKeys } from '../app/services.ts';
import { inboundDays, keptInboundMail } from '../db/inbound-mail.ts';
import { startInboundListener } from '../delivery/inbound-listener.ts';
import { handleInboundMail } from '../delivery/inbound-mail.ts';
import { createTokenSigner } from '../delivery/tokens.ts';
import { defineCommand, defineGroup, ENV, parseFlags, type Syntax } from './args.ts';
import { withPool } from './pool.ts';
import { columns, instant } from './table.ts';

const SERVE = {
  command: 'inbound serve',
  summary: 'take mail for the inbound domain over SMTP: unsubscribes, bounces, complaints; until SIGINT or SIGTERM',
  env: {
    ...ENV.database,
    FANFARE_INBOUND_SMTP_ADDRESS: 'host:port the MX forwards to (default 127.0.0.1:2526)',
    INBOUND_DOMAINS: 'comma-separated domains whose mail is taken (default: the MAIL_FROM domain)',
    MAIL_FROM: 'sender address of our messages; its domain is the default inbound domain',
    TRACKING_KEYS: 'the keys that signed the links (default: the ones kept in PostgreSQL)',
  },
  notes: ['docs/DELIVERY.md, "Inbound mail", says what a production MX forwards here.'],
} satisfies Syntax;

const REPORT = {
  command: 'inbound report',
  summary: 'print bounces, complaints and the complaint rate per UTC day, and the mail kept for a person',
  flags: {
    days: { value: 'N', help: 'days back, today included (default 7)' },
    kept: { value: 'N', help: 'also list the newest N messages kept for a person to read' },
  },
  env: ENV.database,
} satisfies Syntax;

export function parseReportArgs(args: string[]): { days: number; kept: number } {
  const line = parseFlags(args, REPORT);
  return {
    days: line.integer('days', { min: 1, max: 366 }) ?? 7,
    kept: line.integer('kept', { min: 1, max: 1000 }) ?? 0,
  };
}

const out = (text: string) => process.stdout.write(`${text}\n`);

const serve = defineCommand(SERVE, async (args) => {
  parseFlags(args, SERVE);
  const config = readConfig();
  const pool = openPool(config, 'inbound serve', 5);
  const signer = createTokenSigner(await trackingKeys(config, pool));
  const listener = await startInboundListener({
    host: config.inbound.address.host,
    port: config.inbound.address.port,
    domains: config.inbound.domains,
    handle: (message) => handleInboundMail({ pool, signer }, message),
    onResult(result) {
      if (result instanceof Error) process.stderr.write(`fanfare inbound: not stored (451): ${result.message}\n`);
      else out(`fanfare inbound: ${result.kind} ${result.outcome} fan=${result.fanId ?? '-'} id=${result.id ?? '-'}`);
    },
  }).catch(async (error) => {
    await pool.end();
    throw error;
  });
  const where = formatAddress({ host: listener.host, port: listener.port });
  out(`fanfare inbound: taking mail for ${config.inbound.domains.join(', ')} on smtp://${where}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await listener.stop();
  await pool.end();
  return 0;
});

const report = defineCommand(REPORT, async (args) => {
  const { days, kept } = parseReportArgs(args);
  return withPool(REPORT.command, async (pool) => {
    const until = new Date();
    const since = new Date(until.getTime() - (days - 1) * 86_400_000);
    const rows = await inboundDays(pool, since, until);
    const pct = (n: number, d: number) => (d === 0 ? '-' : `${((100 * n) / d).toFixed(3)}%`);
    out(
      columns([
        ['day', 'emails sent', 'hard bounces', 'soft bounces', 'complaints', 'complaint rate', 'unsubscribes', 'kept'],
        ...rows.map((r) => [
          r.day,
          String(r.emailsSent),
          String(r.hardBounces),
          String(r.softBounces),
          String(r.complaints),
          pct(r.complaints, r.emailsSent),
          String(r.unsubscribes),
          String(r.kept),
        ]),
      ]),
    );
    if (kept > 0) {
      const list = await keptInboundMail(pool, kept);
      out('');
      out(
        columns([
          ['id', 'received', 'kind', 'outcome', 'from', 'subject'],
          ...list.map((m) => [
            String(m.id),
            instant(m.receivedAt),
            m.kind,
            m.outcome,
            m.envelopeFrom || '<>',
            (m.subject ?? '').slice(0, 60),
          ]),
        ]),
      );
    }
    return 0;
  });
});

export const command = defineGroup(
  {
    command: 'inbound',
    summary: 'the SMTP listener for mail that comes back, and its daily report',
    env: ENV.database,
  },
  { serve, report },
);
