// A sender that announces or streams a body far over the limit must not make the server read it:
// the 413 arrives while the sender is still sending, and the server has read at most the limit
// plus a little slack (socket reads of 64 KiB and what the parser had in flight). Raw sockets
// (node:net), so nothing between the test and the server buffers or stops early; on Express and
// Fastify. Before the fix, Express read a declared 200 MiB body whole before its 413, and a chunked
// body past the limit held the answer until the sender stopped.
import { connect, type Socket } from 'node:net';
import { Controller, Post, UseGuards } from '@nestjs/common';
import { standardWebhooks, WebhookEndpoint, WebhookGuard, WebhookModule } from '../src';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const LIMIT = 1024 * 1024;
/** What the server may read past the limit: its socket reads and the parser's buffer. */
const SLACK = 1024 * 1024;
/** The most the sender offers; far past what a server that stops at the limit reads. */
const OFFERED = 200 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x20);

jest.setTimeout(60_000);

@Controller('hooks')
@UseGuards(WebhookGuard)
class HooksController {
  calls = 0;
  @Post('billing')
  @WebhookEndpoint('billing')
  receive() {
    this.calls++;
    return {};
  }
}

interface Outcome {
  /** The raw answer (status line, headers, body) the server sent before closing. */
  answer: string;
  /** Body bytes the sender had written when the answer's first byte arrived. */
  sentWhenAnswered: number;
  /** Whether the sender was still sending (had not offered everything) when the answer arrived. */
  stillSending: boolean;
}

/**
 * Sends the headers, then body bytes as fast as the server takes them, until the server answers
 * or closes, or everything offered is written. `chunked` frames each 64 KiB as one chunk.
 */
function flood(
  port: number,
  chunked: boolean,
  { type = 'application/json', path = '/hooks/billing', afterAnswer = false } = {},
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let sent = 0;
    let answered = -1;
    let answer = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (answered < 0) return reject(new Error(`no answer; ${sent} bytes sent`));
      resolve({ answer, sentWhenAnswered: answered, stillSending: answered < OFFERED });
    };
    const timer = setTimeout(finish, 30_000);
    socket.on('data', (data: Buffer) => {
      if (answered < 0) answered = sent;
      answer += data.toString('latin1');
      // The whole answer is in once its JSON body closes (unless the sender goes on sending after it).
      if (!afterAnswer && /\r\n\r\n[\s\S]*\}$/.test(answer)) finish();
    });
    socket.on('error', () => finish());
    socket.on('close', () => finish());
    socket.on('connect', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
          (type ? `Content-Type: ${type}\r\n` : '') +
          (chunked ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${OFFERED}\r\n`) +
          '\r\n',
      );
      const pump = () => {
        while (!done && (afterAnswer || answered < 0) && sent < OFFERED) {
          const frame = chunked
            ? Buffer.concat([Buffer.from(`${CHUNK.length.toString(16)}\r\n`), CHUNK, Buffer.from('\r\n')])
            : CHUNK;
          sent += CHUNK.length;
          if (!socket.write(frame)) return void socket.once('drain', pump);
        }
        // Everything offered is written and the server kept the connection: stop here.
        if (sent >= OFFERED) finish();
      };
      pump();
    });
  });
}

function parse(answer: string): { status: number; headers: string; json: Record<string, unknown> } {
  const [head, body] = answer.split('\r\n\r\n');
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]),
    headers: head.toLowerCase(),
    json: JSON.parse(body.slice(body.indexOf('{'))) as Record<string, unknown>,
  };
}

describe.each(ADAPTERS)('the body limit stops the reading on %s', (adapter) => {
  let running: RunningApp;
  let controller: HooksController;
  let port: number;
  /** Bytes each connection read from the network, recorded when it closes. */
  const readPerConnection: number[] = [];

  beforeAll(async () => {
    running = await startApp(
      adapter,
      [WebhookModule.forRoot({ endpoints: { billing: standardWebhooks({ secret: SECRET }) } })],
      [HooksController],
    );
    controller = running.app.get(HooksController);
    const server = running.app.getHttpServer() as import('node:http').Server;
    server.on('connection', (socket: Socket) => socket.on('close', () => readPerConnection.push(socket.bytesRead)));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => running.close());

  /** Waits for the server's side of the connection opened after `before` to close; what it read. */
  async function serverRead(before: number): Promise<number> {
    for (let i = 0; i < 100 && readPerConnection.length === before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(readPerConnection.length).toBe(before + 1);
    return readPerConnection[before];
  }

  async function expectStoppedAtLimit(chunked: boolean, type = 'application/json') {
    const before = readPerConnection.length;
    const outcome = await flood(port, chunked, { type });
    const { status, headers, json } = parse(outcome.answer);
    expect({ status, json }).toEqual({
      status: 413,
      json: { statusCode: 413, code: 'payload_too_large', message: expect.any(String) },
    });
    // The connection is not reused: whatever the sender still had to send is not read.
    expect(headers).toContain('connection: close');
    expect(outcome.stillSending).toBe(true);
    // The server's side of the connection closes; what it read is bounded.
    for (let i = 0; i < 100 && readPerConnection.length === before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(readPerConnection.length).toBe(before + 1);
    const read = readPerConnection[before];
    expect(read).toBeLessThanOrEqual(LIMIT + SLACK);
    expect(controller.calls).toBe(0);
  }

  it('answers a declared 200 MiB body 413 at once, without reading it', async () => {
    await expectStoppedAtLimit(false);
  });

  it('answers a chunked body 413 as soon as it passes the limit, and closes the connection', async () => {
    await expectStoppedAtLimit(true);
  });

  // type-is (body-parser) reads `! # $ & ^` in a subtype too; a second list of types drifted from it.
  it.each([
    ['application/a!+json', false],
    ['application/a$+json', true],
    ['application/xml', false],
    ['multipart/form-data; boundary=x', false],
  ])('limits a %s body (chunked: %s) like any other', async (type, chunked) => {
    await expectStoppedAtLimit(chunked, type);
  });

  // An answer sent before the body was read (a 415 for an unread type, a 404) would otherwise make
  // Node read and discard the rest of the body to keep the connection: it closes it instead.
  it.each([
    ['XML to the webhook route', 'application/xml', '/hooks/billing', [415]],
    ['no content type to the webhook route', '', '/hooks/billing', [415]],
    // Express parses a JSON body before it routes: the limit may answer first.
    ['JSON to an unknown path', 'application/json', '/nowhere', [404, 413]],
    ['XML to an unknown path', 'application/xml', '/nowhere', [404]],
  ])('closes the connection after answering %s before its body', async (_name, type, path, statuses) => {
    const before = readPerConnection.length;
    const outcome = await flood(port, true, { type, path, afterAnswer: true });
    expect(outcome.answer).not.toBe('');
    const [head] = outcome.answer.split('\r\n\r\n');
    expect(statuses).toContain(Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]));
    expect(head.toLowerCase()).toContain('connection: close');
    expect(await serverRead(before)).toBeLessThanOrEqual(LIMIT + SLACK);
    expect(controller.calls).toBe(0);
  });

  it('sets a request timeout where the server has none (Fastify), and keeps one it has', () => {
    const server = running.app.getHttpServer() as import('node:http').Server;
    // Node's own default is 300 s (Express keeps it); Fastify's server has 0, which is no timeout.
    expect(server.requestTimeout).toBe(adapter === 'fastify' ? 30_000 : 300_000);
  });

  it('still answers a body under the limit on a fresh connection', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/hooks/billing`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ small: true }),
    });
    // Not signed: refused by the guard, which proves the body was read and reached it.
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('missing_header');
  });
});
