import {
  DEFAULT_MAX_ENDPOINTS,
  EndpointStoreError,
  endpointChanged,
  tooManyEndpoints,
  type EndpointLimits,
  type EndpointStore,
  type EndpointWrite,
  type StoredEndpoint,
} from '../endpoint-store.interface';

/**
 * Run-time endpoints in process memory: the default without a database, and for tests. Nothing
 * survives a restart.
 * @publicApi
 */
export class InMemoryEndpointStore implements EndpointStore {
  private readonly endpoints = new Map<string, StoredEndpoint>();
  private readonly max: number;

  constructor(
    limits: EndpointLimits = {},
    private readonly now: () => number = Date.now,
  ) {
    this.max = limits.maxEndpoints ?? DEFAULT_MAX_ENDPOINTS;
  }

  get(name: string): StoredEndpoint | undefined {
    return this.endpoints.get(name);
  }

  async list(): Promise<readonly StoredEndpoint[]> {
    return this.cached();
  }

  cached(): readonly StoredEndpoint[] {
    return [...this.endpoints.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async create(endpoint: EndpointWrite): Promise<StoredEndpoint> {
    if (this.endpoints.has(endpoint.name)) throw exists(endpoint.name);
    if (this.endpoints.size >= this.max) throw tooManyEndpoints(this.max);
    const at = new Date(this.now());
    const stored = freeze({ ...endpoint, createdAt: at, updatedAt: at });
    this.endpoints.set(endpoint.name, stored);
    return stored;
  }

  async setEnabled(name: string, enabled: boolean): Promise<StoredEndpoint> {
    const previous = this.endpoints.get(name);
    if (!previous) throw unknown(name);
    if (previous.enabled === enabled) return previous;
    const { createdAt: _c, updatedAt: _u, ...write } = previous;
    return this.update({ ...write, enabled });
  }

  async update(endpoint: EndpointWrite, basedOn?: Date): Promise<StoredEndpoint> {
    const previous = this.endpoints.get(endpoint.name);
    if (!previous) throw unknown(endpoint.name);
    if (basedOn !== undefined && previous.updatedAt.getTime() !== basedOn.getTime())
      throw endpointChanged(endpoint.name);
    // Always later than the previous write, so that `basedOn` tells two writes apart.
    const updatedAt = new Date(Math.max(this.now(), previous.updatedAt.getTime() + 1));
    const stored = freeze({ ...endpoint, createdAt: previous.createdAt, updatedAt });
    this.endpoints.set(endpoint.name, stored);
    return stored;
  }
}

function freeze(endpoint: StoredEndpoint): StoredEndpoint {
  return Object.freeze({
    ...endpoint,
    options: structuredClone(endpoint.options),
    secretOptions: { ...endpoint.secretOptions },
    ...(endpoint.challenge ? { challenge: structuredClone(endpoint.challenge) } : {}),
  });
}

/** @internal */
export function exists(name: string): EndpointStoreError {
  return new EndpointStoreError('endpoint_exists', `An endpoint named "${name}" exists already.`);
}

/** @internal */
export function unknown(name: string): EndpointStoreError {
  return new EndpointStoreError('unknown_endpoint', `No webhook endpoint is named "${name}".`);
}
