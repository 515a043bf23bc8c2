// A TCP proxy in front of PostgreSQL that can go silent: it keeps every connection open but stops
// forwarding bytes, as a network partition does — which no server-side statement timeout can end.
import { connect, createServer, type Socket } from 'node:net';

export interface SilentProxy {
  /** The database URL through the proxy. */
  readonly url: string;
  /** While true, bytes in both directions are dropped; connections stay open. */
  silent: boolean;
  /** Breaks every proxied connection (those that lost bytes cannot recover). */
  breakConnections(): void;
  /** Stops accepting connections. */
  close(): Promise<void>;
}

export async function startSilentProxy(databaseUrl: string): Promise<SilentProxy> {
  const target = new URL(databaseUrl);
  const sockets: Socket[] = [];
  const state = { silent: false };
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.push(client, upstream);
    client.on('data', (data) => state.silent || upstream.write(data));
    upstream.on('data', (data) => state.silent || client.write(data));
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ]) {
      a.on('error', () => undefined);
      a.on('close', () => b.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const viaProxy = new URL(databaseUrl);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String((server.address() as { port: number }).port);
  return {
    url: viaProxy.toString(),
    get silent() {
      return state.silent;
    },
    set silent(value: boolean) {
      state.silent = value;
    },
    breakConnections: () => sockets.forEach((socket) => socket.destroy()),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
