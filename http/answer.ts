// What a route handler answers (status, headers, body), and sending it through Fastify's reply.
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { FieldError } from '../domain/field-error.ts';
import type { ErrorAnswer } from '../wire/errors.ts';

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** The parts of a request that the login checks read; a Fastify request is one. */
export interface RequestHead {
  method: string;
  headers: IncomingHttpHeaders;
}

export function send(reply: FastifyReply, answer: Answer): FastifyReply {
  reply.code(answer.status);
  if (answer.headers) reply.headers(answer.headers);
  return reply.send(answer.body);
}

/** A refusal naming each bad field and the rule it broke. */
export const refuse = (status: number, ...errors: FieldError[]): Answer => ({
  status,
  body: { errors } satisfies ErrorAnswer,
});
