import type { IncomingMessage, ServerResponse } from 'node:http';
import { tooLarge, unsupportedEncoding } from './body-refusals';
import type { WebhookException } from './webhook.exceptions';

// How much of a body is read: never past the limit, never an encoded one, never after the answer.

/**
 * Express: a declared Content-Length over the limit is answered 413 at once, unread; a body
 * without one (chunked) is counted as the socket delivers it, and answered 413 the moment it
 * passes the limit. Every body, whatever its type: a second list of the types the parsers read
 * would drift from body-parser's own matcher. Any answer written before the body is whole says
 * `Connection: close`, so Node closes the connection after it instead of reading (and discarding)
 * the rest of what the sender still sends.
 */
export function stopReadingPastLimit(limit: number) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    if (!hasBody(req)) return next();
    closeIfAnsweredEarly(req, res);
    if (isEncoded(req)) return answerEarly(res, unsupportedEncoding());
    if (Number(req.headers['content-length']) > limit) return answerEarly(res, tooLarge());
    if (req.headers['transfer-encoding'] !== undefined) countBody(req, res, limit);
    next();
  };
}

export function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;
}

/** Raw bytes only: a compressed body is not inflated, so its signature could never be checked. */
export function isEncoded(req: IncomingMessage): boolean {
  const encoding = req.headers['content-encoding'];
  return encoding !== undefined && !['', 'identity'].includes(encoding.trim().toLowerCase());
}

/**
 * Node drains an unread body after the answer to keep the connection open for the next request;
 * a sender could make it read without end. An answer sent while the body is still arriving
 * (a refusal, a 404, a 415 for a type no parser reads) closes the connection instead.
 */
export function closeIfAnsweredEarly(req: IncomingMessage, res: ServerResponse): void {
  const writeHead = res.writeHead as (...args: unknown[]) => ServerResponse;
  res.writeHead = function closingWriteHead(this: ServerResponse, ...args: unknown[]) {
    if (!req.complete && !this.headersSent) {
      this.shouldKeepAlive = false;
      this.setHeader('Connection', 'close');
    }
    return writeHead.apply(this, args);
  } as ServerResponse['writeHead'];
}

/**
 * Counts the body bytes Node's HTTP parser hands to the request (its `push`), wherever the reader
 * is; past the limit the excess is not passed on and the request is answered 413.
 */
export function countBody(req: IncomingMessage, res: ServerResponse, limit: number, beforeAnswer?: () => void): void {
  let received = req.readableLength;
  const push = req.push;
  req.push = function countedPush(this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding) {
    if (chunk !== null && (Buffer.isBuffer(chunk) || typeof chunk === 'string')) {
      received += chunk.length;
      if (received > limit) {
        beforeAnswer?.();
        answerTooLarge(res);
        return false;
      }
    }
    return push.call(this, chunk, encoding);
  };
}

function answerTooLarge(res: ServerResponse): void {
  answerEarly(res, tooLarge());
}

export function answerEarly(res: ServerResponse, refusal: WebhookException): void {
  if (res.headersSent) return;
  const body = JSON.stringify(refusal.getResponse());
  res.writeHead(refusal.getStatus(), {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
  });
  res.end(body);
}
