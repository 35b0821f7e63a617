// The delivery benchmark's child process: the local SMTP capture and push service, answering over IPC.

import { startPushService } from '../peers/push-service.ts';
import { startSmtpCapture } from '../peers/smtp-capture.ts';

type Request =
  | { id: number; op: 'subscribe'; count: number; applicationServerKey: string }
  | { id: number; op: 'stats' }
  | { id: number; op: 'clear' }
  | { id: number; op: 'stop' };

const smtp = await startSmtpCapture();
const push = await startPushService();
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
      send({ id: req.id, cpu: process.cpuUsage(), mails: smtp.messages.length, pushes: push.received.length });
      break;
    case 'clear':
      // Keeps memory flat between runs: the capture holds every parsed message.
      smtp.clear();
      push.clear();
      send({ id: req.id });
      break;
    case 'stop':
      await smtp.stop();
      await push.stop();
      send({ id: req.id });
      process.exit(0);
  }
});

send({ ready: true, smtp: { host: smtp.host, port: smtp.port }, caCertPem: push.caCertPem });
