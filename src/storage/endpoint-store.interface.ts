/**
 * An endpoint defined at run time (through the admin API), as stored: a preset of the catalogue by
 * name with its options, or a generic HMAC scheme (`provider: 'hmac'`) with declarative challenge
 * rules. Its signing secret and challenge secrets live in the secret store under its name, like
 * those of the endpoints of the module's options.
 * @publicApi
 */
export interface StoredEndpoint {
  /** Lower-case letters, digits, '-' or '_'; the path parameter of its route. */
  readonly name: string;
  /** A catalogue id (`stripe`), or `hmac` for a generic HMAC scheme described by `options`. */
  readonly provider: string;
  /** The preset's options, as JSON; never a secret (those are in `secretOptions`). */
  readonly options: Readonly<Record<string, unknown>>;
  /** Options that hold secrets (API keys, tokens): stored encrypted, never shown. */
  readonly secretOptions: Readonly<Record<string, string>>;
  /** Declarative challenge rules (generic endpoints), as JSON. */
  readonly challenge?: Readonly<Record<string, unknown>>;
  /** A disabled endpoint answers 404 `unknown_endpoint`; its secrets and its log are kept. */
  readonly enabled: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What `create` and `update` take. @publicApi */
export type EndpointWrite = Omit<StoredEndpoint, 'createdAt' | 'updatedAt'>;

/** Limits of the endpoints defined at run time. @publicApi */
export interface EndpointLimits {
  /**
   * How many endpoints may exist (disabled ones count: they keep their secrets and log).
   * @default 1000
   */
  readonly maxEndpoints?: number;
}

/** @internal */
export const DEFAULT_MAX_ENDPOINTS = 1000;

/**
 * Where run-time endpoints live. `get` runs on every request to a route with
 * `@WebhookEndpoint({ param })` and must answer from memory; changes made on any instance reach the
 * others within a second in the durable store.
 * @publicApi
 */
export interface EndpointStore {
  /** The endpoint of that name (enabled or not), from memory. */
  get(name: string): StoredEndpoint | undefined;
  /** Every endpoint, by name. */
  list(): Promise<readonly StoredEndpoint[]>;
  /** Every endpoint held in memory (the cross-endpoint checks read it on requests). */
  cached(): readonly StoredEndpoint[];
  /** Adds an endpoint; refuses an existing name and more than the maximum number of endpoints. */
  create(endpoint: EndpointWrite): Promise<StoredEndpoint>;
  /**
   * Replaces an endpoint's definition (not its name); refuses an unknown name, and with `basedOn`
   * (the `updatedAt` of the definition the change was made from) one changed since:
   * `endpoint_changed`, so that two writers never undo each other's change unseen.
   */
  update(endpoint: EndpointWrite, basedOn?: Date): Promise<StoredEndpoint>;
  /**
   * Turns an endpoint on or off and nothing else (idempotent: a write of what it already is changes
   * nothing), so that a disable never writes back options read before a concurrent change. Without
   * it the admin API writes the whole definition it read, based on its `updatedAt`.
   */
  setEnabled?(name: string, enabled: boolean): Promise<StoredEndpoint>;
}

/** Injection token of the {@link EndpointStore} (the interface and its token share a name). @publicApi */
export const EndpointStore = Symbol('WebhookEndpointStore');

/** Why a write was refused; the admin API maps these codes to 404 and 409. @publicApi */
export class EndpointStoreError extends Error {
  override readonly name = 'EndpointStoreError';
  constructor(
    readonly code: 'unknown_endpoint' | 'endpoint_exists' | 'too_many_endpoints' | 'endpoint_changed',
    message: string,
  ) {
    super(message);
  }
}

/** @internal */
export function endpointChanged(name: string): EndpointStoreError {
  return new EndpointStoreError(
    'endpoint_changed',
    `The endpoint "${name}" changed while the request ran: read it again, then retry.`,
  );
}

/** @internal */
export function tooManyEndpoints(max: number): EndpointStoreError {
  return new EndpointStoreError('too_many_endpoints', `At most ${max} endpoints may exist; delete none, reuse one.`);
}
