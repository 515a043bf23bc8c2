import { Logger } from '@nestjs/common';
import type { Client, ClientConfig, Notification } from 'pg';

/** @internal */
export interface ChangeListenerOptions {
  channel: string;
  onNotification(payload: string): void;
  /** Called after every (re)connection: notifications sent while disconnected are lost. */
  onConnected(): void;
  /** First reconnection delay; doubles up to `maxBackoffMs`, with jitter. @default 250 */
  minBackoffMs?: number;
  /** @default 10000 */
  maxBackoffMs?: number;
  /**
   * Whether the connection keeps the process alive, as the inbox's does for a process of workers
   * only. A cache's listener does not: an app whose start-up failed after it connected, or a
   * script done with its stores, must be able to exit. @default false
   */
  holdsProcess?: boolean;
}

/**
 * One dedicated connection that LISTENs on a channel and reconnects with exponential backoff when
 * it drops (server restart, network). It never throws into the app.
 * @internal
 */
export class ChangeListener {
  private readonly logger = new Logger('Hookwarden');
  private client?: Client;
  private timer?: NodeJS.Timeout;
  private attempt = 0;
  private closed = false;
  private connected = false;

  constructor(
    private readonly ClientClass: new (config: ClientConfig) => Client,
    private readonly config: ClientConfig,
    private readonly options: ChangeListenerOptions,
  ) {}

  get isConnected(): boolean {
    return this.connected;
  }

  /** Connects once; on failure keeps retrying in the background and resolves anyway. */
  async start(): Promise<void> {
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    if (client) await client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new this.ClientClass({ ...this.config, keepAlive: true, application_name: 'hookwarden-listener' });
    this.client = client;
    let failed = false;
    const lost = (error?: Error) => {
      if (failed) return;
      failed = true;
      if (this.client === client) this.client = undefined;
      const wasConnected = this.connected;
      this.connected = false;
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      if (this.closed) return;
      if (wasConnected) {
        this.logger.warn(`Lost the secret-change listener connection (${error?.message ?? 'closed'}); reconnecting.`);
      }
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message: Notification) => {
      if (message.channel === this.options.channel && message.payload !== undefined) {
        this.options.onNotification(message.payload);
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.options.channel}"`);
    } catch (error) {
      lost(error as Error);
      return;
    }
    if (this.closed || failed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.attempt = 0;
    this.connected = true;
    if (!this.options.holdsProcess) socketOf(client)?.unref?.();
    this.options.onConnected();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.timer) return;
    const min = this.options.minBackoffMs ?? 250;
    const max = this.options.maxBackoffMs ?? 10_000;
    const delay = Math.min(max, min * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt = Math.min(this.attempt + 1, 16);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, delay);
    this.timer.unref();
  }
}

/** The client's socket (pg keeps it on its connection). */
function socketOf(client: Client): { unref?(): void } | undefined {
  return (client as unknown as { connection?: { stream?: { unref?(): void } } }).connection?.stream;
}
