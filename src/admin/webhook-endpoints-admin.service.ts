import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { AnyOfChallengeStrategy } from '../core/challenges/any-of.strategy';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { WEBHOOK_ERRORS, WebhookConfigurationError } from '../core/errors';
import { secretFingerprint, sharesFingerprint } from '../core/delivery/challenge';
import { toSecretList } from '../providers/endpoint-definition';
import { InboxDispatch } from '../nest/inbox/inbox-handlers';
import { buildRuntimeEndpoint, RuntimeEndpoints, runtimeDefinition } from '../nest/runtime-endpoints';
import {
  findNamedChallengeKey,
  findSharedChallengeSecret,
  sharedSecretConflict,
} from '../nest/shared-challenge-secret';
import { validateSigningSecret, type ResolvedEndpoint, type ResolvedWebhookConfig } from '../nest/webhook-config';
import { WEBHOOK_CONFIG } from '../nest/webhook.constants';
import { WebhookException } from '../nest/webhook.exceptions';
import { namedSecretKey } from '../nest/webhook-storage-parts';
import { AuditLog } from '../storage/audit-log.interface';
import {
  EndpointStore,
  EndpointStoreError,
  type EndpointWrite,
  type StoredEndpoint,
} from '../storage/endpoint-store.interface';
import { SecretStore } from '../storage/secret-store.interface';
import { actorOf } from './admin-actor';
import type {
  CreateWebhookEndpointDto,
  UpdateWebhookEndpointDto,
  WebhookCreatedEndpointView,
  WebhookRuntimeEndpointView,
} from './endpoint.dto';

/** Option names that hold a secret even when the preset does not seed them (API keys, tokens, passwords). */
const SECRET_OPTION = /secret|token|key|password|credential|clientstate/i;

/** An endpoint checked and split for storage: public options, encrypted ones, and the secrets to seed. */
interface PreparedEndpoint {
  readonly write: EndpointWrite;
  readonly endpoint: ResolvedEndpoint;
  /** Signing secrets given in the options (`secret`, `signingSecret`, …): they go to the secret store. */
  readonly signing: readonly (string | Buffer)[];
  /** Challenge-only secrets (`verifyToken`, …) by name, for the secret store. */
  readonly named: ReadonlyMap<string, readonly (string | Buffer)[]>;
}

/**
 * The admin routes of run-time endpoints: create (a generated secret shown once), list, read,
 * change, disable and re-enable; each call audited. A definition is checked with the checks of
 * start-up before anything is stored.
 * @internal
 */
@Injectable()
export class WebhookEndpointsAdminService {
  constructor(
    @Inject(WEBHOOK_CONFIG) private readonly config: ResolvedWebhookConfig,
    @Inject(EndpointStore) private readonly store: EndpointStore,
    @Inject(SecretStore) private readonly secrets: SecretStore,
    @Inject(AuditLog) private readonly audit: AuditLog,
    @Inject(RuntimeEndpoints) private readonly runtime: RuntimeEndpoints,
    @Optional() private readonly dispatch?: InboxDispatch,
  ) {}

  /** An endpoint its @OnWebhook handlers could not be fed (its body is never stored) is refused: 400. */
  private assertProcessable(endpoint: ResolvedEndpoint): void {
    try {
      this.dispatch?.assertCanProcess(endpoint);
    } catch (error) {
      throw invalid(error);
    }
  }

  /** Every endpoint (options and run-time, with `extra` about to be stored), for checks across them. */
  allEndpoints(extra?: ResolvedEndpoint): Pick<ResolvedWebhookConfig, 'endpoints'> {
    return this.runtime.withRuntime(extra);
  }

  async create(body: CreateWebhookEndpointDto, request: unknown): Promise<WebhookCreatedEndpointView> {
    if (this.config.endpoints.has(body.name)) throw exists();
    const prepared = prepare({
      name: body.name,
      provider: body.provider,
      options: plainJson(body.options ?? {}),
      secretOptions: {},
      ...(body.challenge ? { challenge: plainJson(body.challenge) } : {}),
      enabled: true,
    });
    this.assertProcessable(prepared.endpoint);
    const signing = [...prepared.signing];
    if (body.secret !== undefined) signing.push(body.secret);
    for (const secret of signing) checkSecret(prepared.endpoint, secret);
    await this.refuseSharedSecret(prepared.endpoint, signing);
    // None for a provider that delivers its own in a handshake (Asana's X-Hook-Secret): one made
    // here would refuse that handshake (409 handshake_refused), and the provider never uses it.
    const delivers = deliversSecret(prepared.endpoint.challenge);
    const generated = signing.length === 0 && !delivers ? generateSecret(prepared.endpoint) : undefined;
    const stored = await storeOperation(() => this.store.create(prepared.write));
    await this.secrets.seedSecrets(stored.name, generated !== undefined ? [generated] : signing);
    await this.seedNamed(stored.name, prepared.named);
    await this.record(request, 'endpoint.create', stored.name, {
      provider: stored.provider,
      generated: generated !== undefined,
      secretOptions: Object.keys(stored.secretOptions),
    });
    return { ...(await this.view(stored)), ...(generated !== undefined ? { secret: generated } : {}) };
  }

  async list(): Promise<WebhookRuntimeEndpointView[]> {
    const views: WebhookRuntimeEndpointView[] = [];
    for (const stored of await this.store.list()) views.push(await this.view(stored));
    return views;
  }

  async get(name: string, request: unknown): Promise<WebhookRuntimeEndpointView> {
    const view = await this.view(this.stored(name));
    await this.record(request, 'endpoint.get', name);
    return view;
  }

  async update(name: string, body: UpdateWebhookEndpointDto, request: unknown): Promise<WebhookRuntimeEndpointView> {
    const current = this.stored(name);
    const changes = plainJson(body.options ?? {});
    const options = Object.fromEntries(
      [...Object.entries(current.options), ...Object.entries(current.secretOptions), ...Object.entries(changes)].filter(
        ([key]) => changes[key] !== null,
      ),
    );
    const challenge = body.challenge ? plainJson(body.challenge) : current.challenge;
    const prepared = prepare({
      name,
      provider: current.provider,
      options,
      secretOptions: {},
      ...(challenge ? { challenge } : {}),
      enabled: body.enabled ?? current.enabled,
    });
    this.assertProcessable(prepared.endpoint);
    for (const secret of prepared.signing) checkSecret(prepared.endpoint, secret);
    const live = (await this.secrets.getLiveSecrets(name)).map((s) => s.value);
    // A new signing secret goes through the rotation route, which bounds the live versions and
    // gives the old one its grace period; given here it would be one more version, forever.
    const liveFingerprints = live.map(secretFingerprint);
    if (prepared.signing.some((secret) => !sharesFingerprint([secretFingerprint(secret)], liveFingerprints))) {
      throw new WebhookException(
        'invalid_endpoint',
        'A new signing secret is added with POST /endpoints/{endpoint}/secrets (a rotation); PATCH takes only a live one.',
        400,
      );
    }
    // The new definition may answer challenges with its secret where the old one did not.
    await this.refuseSharedSecret(prepared.endpoint, [...prepared.signing, ...live]);
    // Based on the definition read above: a change made meanwhile (a disable) is never undone unseen.
    const stored = await storeOperation(() => this.store.update(prepared.write, current.updatedAt));
    await this.seedNamed(name, prepared.named);
    const action =
      body.enabled !== undefined && body.enabled !== current.enabled
        ? body.enabled
          ? 'endpoint.enable'
          : 'endpoint.disable'
        : 'endpoint.update';
    await this.record(request, action, name, {
      changed: Object.keys(body).filter((key) => (body as Record<string, unknown>)[key] !== undefined),
      ...(body.options ? { options: Object.keys(body.options) } : {}),
    });
    return this.view(stored);
  }

  /** Disables the endpoint (404 on its route from then on); its secrets and its log are kept. */
  async disable(name: string, request: unknown): Promise<void> {
    const current = this.stored(name);
    if (this.store.setEnabled) {
      // Idempotent, and writes nothing else: a concurrent PATCH's options stay.
      await storeOperation(() => this.store.setEnabled!(name, false));
    } else if (current.enabled) {
      const { createdAt: _c, updatedAt: _u, ...write } = current;
      await storeOperation(() => this.store.update({ ...write, enabled: false }, current.updatedAt));
    }
    await this.record(request, 'endpoint.disable', name);
  }

  /** A run-time endpoint, enabled or not, for the secret routes: its scheme judges new secrets. */
  resolve(name: string): ResolvedEndpoint | undefined {
    const stored = this.config.endpoints.has(name) ? undefined : this.store.get(name);
    if (!stored) return undefined;
    try {
      return buildRuntimeEndpoint(stored);
    } catch {
      return undefined;
    }
  }

  /**
   * A secret another endpoint holds while one of the two answers challenges with it would turn
   * challenge answers into delivery signatures (SECURITY.md §13): refused before anything is stored.
   */
  private async refuseSharedSecret(endpoint: ResolvedEndpoint, secrets: readonly (string | Buffer)[]): Promise<void> {
    const all = this.allEndpoints(endpoint);
    const other =
      (await findSharedChallengeSecret(all, this.secrets, endpoint.name, secrets)) ??
      (await findNamedChallengeKey(all, this.secrets, endpoint.name, secrets));
    if (other !== undefined) throw sharedSecretConflict(other);
  }

  private stored(name: string): StoredEndpoint {
    const stored = this.config.endpoints.has(name) ? undefined : this.store.get(name);
    if (!stored) throw new WebhookException('unknown_endpoint', 'No run-time webhook endpoint has this name.', 404);
    return stored;
  }

  private async seedNamed(name: string, named: PreparedEndpoint['named']): Promise<void> {
    for (const [secretName, values] of named) await this.secrets.seedSecrets(namedSecretKey(name, secretName), values);
  }

  private async view(stored: StoredEndpoint): Promise<WebhookRuntimeEndpointView> {
    let schemes: string[] = [];
    let challenge: string | null = null;
    let names: string[] = [];
    try {
      const endpoint = buildRuntimeEndpoint(stored);
      schemes = endpoint.schemes.map((s) => s.name);
      challenge = endpoint.challenge?.kind ?? null;
      names = [...new Set([...(endpoint.challenge?.secretNames ?? []), ...Object.keys(endpoint.namedSecrets ?? {})])];
    } catch {
      // Shown all the same, so it can be fixed or disabled.
    }
    const live = async (key: string) =>
      (await this.secrets.getLiveSecrets(key)).map((s) => s.version).sort((a, b) => b - a);
    const namedSecrets = [];
    for (const name of names)
      namedSecrets.push({ name, liveSecretVersions: await live(namedSecretKey(stored.name, name)) });
    return {
      name: stored.name,
      provider: stored.provider,
      schemes,
      challenge,
      liveSecretVersions: await live(stored.name),
      namedSecrets,
      source: 'runtime',
      options: { ...stored.options },
      secretOptions: Object.keys(stored.secretOptions),
      challengeRules: stored.challenge ? { ...stored.challenge } : null,
      enabled: stored.enabled,
      createdAt: stored.createdAt.toISOString(),
      updatedAt: stored.updatedAt.toISOString(),
    };
  }

  private record(request: unknown, action: string, endpoint: string, details?: Record<string, unknown>): Promise<void> {
    return this.audit.record({ actor: actorOf(request), action, endpoint, details, at: new Date() });
  }
}

/**
 * Builds the definition with every option (a mistake is a 400 naming the field), then splits the
 * options: the signing and challenge secrets the preset seeds go to the secret store and are not
 * kept here; other options that hold secrets are kept encrypted; the rest is shown.
 */
function prepare(input: EndpointWrite): PreparedEndpoint {
  refuseLiteralChallengeSecrets(input.challenge);
  let full;
  try {
    full = runtimeDefinition(input);
  } catch (error) {
    throw invalid(error);
  }
  const signing = toSecretList(full.secrets);
  const named = new Map(
    Object.entries(full.namedSecrets ?? {}).map(([name, value]) => [name, toSecretList(value)] as const),
  );
  const seeds = new Set([...signing, ...[...named.values()].flat()].map((s) => (Buffer.isBuffer(s) ? '' : s)));
  const options: Record<string, unknown> = {};
  const secretOptions: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.options)) {
    if (typeof value === 'string' && seeds.has(value)) continue;
    // A list of secrets (rolling ones) the preset seeded: in the secret store, not here.
    if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && seeds.has(v))) continue;
    if (typeof value === 'string' && SECRET_OPTION.test(key)) secretOptions[key] = value;
    else if (SECRET_OPTION.test(key) || holdsSeed(value, seeds)) {
      // Kept encrypted only as one string: anything else would be stored and shown in clear.
      throw new WebhookException('invalid_endpoint', `options.${key}: a secret option takes one string.`, 400);
    } else options[key] = value;
  }
  const write: EndpointWrite = { ...input, options, secretOptions };
  let endpoint;
  try {
    endpoint = buildRuntimeEndpoint(write);
  } catch (error) {
    throw invalid(error);
  }
  return { write, endpoint, signing, named };
}

/** A copy made of own JSON data only: no prototype, no accessor survives from the request body. */
function plainJson(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

function invalid(error: unknown): WebhookException {
  if (error instanceof WebhookConfigurationError) {
    return new WebhookException('invalid_endpoint', error.message.replace(/^Webhook endpoint "[^"]*": /, ''), 400);
  }
  // Another error's text is the engine's (`headers.some is not a function`): it says nothing to the
  // caller and might quote a value. Logged by class, in case it is a bug rather than a wrong type.
  new Logger('HookwardenAdmin').warn(`An endpoint definition failed to build: ${(error as Error)?.name ?? 'error'}`);
  return new WebhookException(
    'invalid_endpoint',
    'options: a value has the wrong type for this provider (text, a number, a list: see its options).',
    400,
  );
}

function exists(): WebhookException {
  return new WebhookException('endpoint_exists', 'An endpoint of this name exists already.', 409);
}

async function storeOperation<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof EndpointStoreError) {
      throw new WebhookException(error.code, error.message, WEBHOOK_ERRORS[error.code].status);
    }
    throw error;
  }
}

function checkSecret(endpoint: ResolvedEndpoint, secret: string | Buffer): void {
  // Node's own errors quote the value: a secret must never come back in an answer.
  if (typeof secret !== 'string' && !Buffer.isBuffer(secret)) {
    throw new WebhookException('invalid_secret', 'A signing secret is a string.', 400);
  }
  try {
    validateSigningSecret(endpoint, secret);
  } catch (error) {
    const message = error instanceof WebhookConfigurationError ? error.message : 'The signing secret is not valid.';
    throw new WebhookException('invalid_secret', message, 400);
  }
}

/** A signing secret in the provider's format, or 400 `secret_required` where the provider issues a key. */
function generateSecret(endpoint: ResolvedEndpoint): string {
  if (!endpoint.generateSecret) return randomBytes(32).toString('hex');
  try {
    return endpoint.generateSecret();
  } catch (error) {
    throw new WebhookException('secret_required', (error as Error).message, 400);
  }
}

/** Whether a seeded secret sits anywhere inside an option's JSON value. */
function holdsSeed(value: unknown, seeds: ReadonlySet<string>): boolean {
  if (typeof value === 'string') return seeds.has(value);
  if (Array.isArray(value)) return value.some((v) => holdsSeed(v, seeds));
  if (value !== null && typeof value === 'object') return Object.values(value).some((v) => holdsSeed(v, seeds));
  return false;
}

/**
 * A challenge rule's key given as a literal string is refused through the API: it would be stored
 * and shown in clear with the rule, and no shared-secret check could see it. Named secrets go to
 * the secret store and are rotated with `?name=`.
 */
function refuseLiteralChallengeSecrets(challenge: Record<string, unknown> | undefined): void {
  if (!challenge) return;
  const tokens = Array.isArray(challenge.challenge_tokens) ? (challenge.challenge_tokens as unknown[]) : [];
  const refs: Array<[string, unknown]> = tokens.map((token, i) => [
    `challenge.challenge_tokens[${i}].secret`,
    (token as { secret?: unknown } | null)?.secret,
  ]);
  const verify = challenge.verify_token as { secret?: unknown } | null | undefined;
  if (verify && typeof verify === 'object') refs.push(['challenge.verify_token.secret', verify.secret]);
  for (const [field, ref] of refs) {
    if (typeof ref === 'string') {
      throw new WebhookException(
        'invalid_endpoint',
        `${field}: a literal secret would be stored and shown in clear; give { "from": "named", "name": … } ` +
          'and set it with POST /endpoints/:endpoint/secrets?name=….',
        400,
      );
    }
  }
}

/** Whether a challenge strategy (or a member of an anyOf) hands over the endpoint's secret. */
function deliversSecret(challenge: ChallengeStrategy | undefined): boolean {
  if (challenge instanceof AnyOfChallengeStrategy) return challenge.strategies.some(deliversSecret);
  return typeof challenge?.deliveredSecret === 'function';
}
