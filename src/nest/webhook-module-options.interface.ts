import type { WebhookEndpointDefinition } from '../providers/endpoint-definition';
import type { InMemoryEventLogOptions } from '../storage/in-memory/in-memory-event-log';

/**
 * Options of `WebhookModule.forRoot()` / `forRootAsync()`.
 * @publicApi
 */
export interface WebhookModuleOptions {
  /**
   * The webhook endpoints, by name. A handler picks one with `@WebhookEndpoint(name)`.
   * @default {}
   */
  endpoints?: Record<string, WebhookEndpointDefinition>;
  /**
   * The request property that holds the raw body (Nest fills `rawBody` with `{ rawBody: true }`).
   * @default 'rawBody'
   */
  rawBodyProperty?: string;
  /** Options of the in-memory duplicate filter used when no durable event log is configured. */
  inMemoryEventLog?: InMemoryEventLogOptions;
}

/** Registration-time switches (they decide which providers exist, so they sit beside `useFactory`). @publicApi */
export interface WebhookModuleExtras {
  /**
   * Register the module globally, so feature modules need not import it.
   * @default false
   */
  isGlobal?: boolean;
}
