export interface ClientErrorEmitter {
  removeAllListeners(event: 'clientError'): void;
  on(event: 'clientError', listener: (error: NodeJS.ErrnoException, socket: ClientSocket) => void): void;
}
interface ClientSocket {
  writable: boolean;
  end(data: string): void;
  destroy(): void;
}

/**
 * A request Node's HTTP parser cannot read (a header block over 16 KiB, a NUL or bare CR in a
 * header, conflicting lengths) never reaches Express or Fastify; Node answers it with an empty 400.
 * It gets the same coded JSON as every other refusal, and the connection is closed.
 */
export function answerMalformedRequestsWithCode(server: ClientErrorEmitter | undefined): void {
  if (!server || typeof server.on !== 'function') return;
  server.removeAllListeners('clientError');
  server.on('clientError', (error, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const [status, reason, code, message] = tooLarge
      ? [431, 'Request Header Fields Too Large', 'headers_too_large', 'The request headers are too large.']
      : [400, 'Bad Request', 'malformed_request', 'The request is not valid HTTP.'];
    const body = JSON.stringify({ statusCode: status, code, message });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
