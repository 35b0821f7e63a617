// The delivery benchmarks' child process: the local SMTP capture and push service, answering over IPC, with faults.

import { type PushService, startPushService } from '../peers/push-service.ts';
import { type CapturedMail, type SmtpCapture, startSmtpCapture } from '../peers/smtp-capture.ts';

type Request =
  | { id: number; op: 'subscribe'; count: number; applicationServerKey: string }
  | { id: number; op: 'stats' }
  | { id: number; op: 'clear' }
  | { id: number; op: 'tally' }
  | { id: number; op: 'smtpDown' }
  | { id: number; op: 'smtpUp' }
  | { id: number; op: 'pushOutage'; fault: { status: number; retryAfter?: number } | null }
  | { id: number; op: 'stop' };

/** Copies of each message the peers took, by decision id: the peers' own count, kept across an SMTP restart. */
const emailCopies = new Map<number, number>();
const pushCopies = new Map<number, number>();
const countCopy = (copies: Map<number, number>, decisionId: number) =>
  copies.set(decisionId, (copies.get(decisionId) ?? 0) + 1);

function onMail(mail: CapturedMail): void {
  const header = mail.parsed.headers.get('x-fanfare-decision');
  if (header !== undefined) countCopy(emailCopies, Number(header));
}

let smtp: SmtpCapture | null = await startSmtpCapture({ onMessage: onMail });
const smtpAddress = { host: smtp.host, port: smtp.port };
/** Messages taken by SMTP captures stopped since the last clear. */
let earlierMails = 0;
const push: PushService = await startPushService({
  onPush(received) {
    const tag = (received.payloadJson as { tag?: string } | undefined)?.tag ?? '';
    const m = /^decision-(\d+)$/.exec(tag);
    if (m) countCopy(pushCopies, Number(m[1]));
  },
});
const send = (message: unknown) => process.send!(message);

process.on('message', async (req: Request) => {
  switch (req.op) {
    case 'subscribe':
      send({
        id: req.id,
        subscriptions: Array.from(
          { length: req.count },
          () => push.createSubscription({ applicationServerKey: req.applicationServerKey }).subscription,
        ),
      });
      break;
    case 'stats':
      send({
        id: req.id,
        cpu: process.cpuUsage(),
        mails: earlierMails + (smtp?.messages.length ?? 0),
        pushes: push.received.length,
      });
      break;
    case 'clear':
      // Keeps memory flat between runs: the capture holds every parsed message.
      smtp?.clear();
      push.clear();
      emailCopies.clear();
      pushCopies.clear();
      earlierMails = 0;
      send({ id: req.id });
      break;
    case 'tally':
      send({ id: req.id, email: [...emailCopies], push: [...pushCopies] });
      break;
    case 'smtpDown':
      // The listener closes and every connection is cut: new connections are refused until smtpUp.
      if (smtp) {
        const stopping = smtp;
        smtp = null;
        earlierMails += stopping.messages.length;
        await stopping.stop();
      }
      send({ id: req.id });
      break;
    case 'smtpUp':
      smtp ??= await startSmtpCapture({ ...smtpAddress, onMessage: onMail });
      send({ id: req.id });
      break;
    case 'pushOutage':
      push.outage(req.fault);
      send({ id: req.id });
      break;
    case 'stop':
      await smtp?.stop();
      await push.stop();
      send({ id: req.id });
      process.exit(0);
  }
});

send({ ready: true, smtp: smtpAddress, caCertPem: push.caCertPem });
