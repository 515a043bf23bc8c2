import { matchSecret } from '../auth/credential-match';
import { WebhookConfigurationError, WebhookErrorCode, WebhookVerificationError } from '../errors';
import { headerValue, type WebhookRequest } from '../request';
import { gotValue } from './token-safety';
import type { WebhookSecret } from '../secret';

/**
 * Where a challenge value is read from: a query parameter, a header (any case) or a field of the
 * JSON or form body. A body field nested in objects is given as its path (`['payload', 'plainToken']`).
 * @publicApi
 * @example { from: 'query', name: 'hub.challenge' }
 */
export interface RequestField {
  readonly from: 'query' | 'header' | 'body';
  readonly name: string | readonly string[];
}

/**
 * Recognises a challenge request from plain data: every listed condition must hold. A value `true`
 * means "present with a single string value"; a string means "exactly this value".
 * @publicApi
 * @example { method: 'GET', query: { 'hub.mode': 'subscribe' } }
 */
export interface RequestMatch {
  /** Upper-case method, or several. */
  readonly method?: string | readonly string[];
  readonly query?: Readonly<Record<string, string | true>>;
  /** Header names in any case. */
  readonly headers?: Readonly<Record<string, string | true>>;
  /** Top-level fields of the JSON or form body. */
  readonly body?: Readonly<Record<string, string | true>>;
}

/**
 * How a strategy recognises its challenge: a {@link RequestMatch}, or a function (which must be
 * cheap and never throw; one that throws counts as "not a challenge").
 * @publicApi
 */
export type ChallengeMatcher = RequestMatch | ((request: WebhookRequest) => boolean);

const JSON_TYPE = /^(?:application\/(?:[\w.+-]+\+)?json|text\/json)\s*(?:;|$)/i;
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(?:;|$)/i;

/** Parsed bodies, per request object: detect and respond read the same request. */
const parsedBodies = new WeakMap<WebhookRequest, unknown>();

/**
 * The body as JSON, when the content type says JSON (or there is none and the bytes parse as JSON);
 * `undefined` otherwise, including for invalid JSON. Never throws.
 * @publicApi
 */
export function readJsonBody(request: WebhookRequest): unknown {
  const type = headerValue(request, 'content-type');
  if (type !== undefined && !JSON_TYPE.test(type)) return undefined;
  return parseJson(request.rawBody);
}

/**
 * The body as form fields when the content type is `application/x-www-form-urlencoded`;
 * `undefined` otherwise. A field sent more than once is a list. Never throws.
 * @publicApi
 */
export function readFormBody(request: WebhookRequest): Record<string, string | string[]> | undefined {
  const type = headerValue(request, 'content-type');
  if (type === undefined || !FORM_TYPE.test(type)) return undefined;
  return parseForm(request.rawBody);
}

/**
 * The body as JSON or form fields, chosen by content type (see {@link readJsonBody} and
 * {@link readFormBody}); `undefined` for any other or unparseable body. Never throws; parsed once
 * per request object.
 * @publicApi
 */
export function readBody(request: WebhookRequest): unknown {
  if (parsedBodies.has(request)) return parsedBodies.get(request);
  const parsed = readFormBody(request) ?? readJsonBody(request);
  parsedBodies.set(request, parsed);
  return parsed;
}

function parseJson(rawBody: Buffer | undefined): unknown {
  if (!Buffer.isBuffer(rawBody) || rawBody.length === 0) return undefined;
  try {
    return JSON.parse(rawBody.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function parseForm(rawBody: Buffer | undefined): Record<string, string | string[]> {
  // No prototype: a field named "__proto__" or "constructor" is data, never inherited behaviour.
  const fields = Object.create(null) as Record<string, string | string[]>;
  if (!Buffer.isBuffer(rawBody) || rawBody.length === 0) return fields;
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(rawBody.toString('utf8'));
  } catch {
    return fields;
  }
  for (const [key, value] of params) {
    const previous = fields[key];
    fields[key] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return fields;
}

/** An own property only: a body field named "constructor" or "toString" is not there. */
function ownValue(container: unknown, key: string): unknown {
  if (typeof container !== 'object' || container === null || Array.isArray(container)) return undefined;
  return Object.prototype.hasOwnProperty.call(container, key) ? (container as Record<string, unknown>)[key] : undefined;
}

/**
 * Reads a field of the request. A value that is not one string (a header or parameter sent twice,
 * a body field holding a number or an object) is not returned: it is not one valid token.
 * @publicApi
 */
export function readField(request: WebhookRequest, field: RequestField): string | undefined {
  const path = typeof field.name === 'string' ? [field.name] : field.name;
  if (path.length === 0) return undefined;
  let value: unknown;
  if (field.from === 'header') {
    if (path.length !== 1) return undefined;
    const raw = request.headers[path[0].toLowerCase()];
    value = typeof raw === 'string' ? raw : undefined;
  } else if (field.from === 'query') {
    if (path.length !== 1) return undefined;
    value = ownValue(request.query, path[0]);
  } else {
    value = readBody(request);
    for (const key of path) value = ownValue(value, key);
  }
  return typeof value === 'string' ? value : undefined;
}

/** Whether the request meets every condition of the match. Never throws. @publicApi */
export function matchesRequest(request: WebhookRequest, match: RequestMatch): boolean {
  if (match.method !== undefined) {
    const methods = typeof match.method === 'string' ? [match.method] : match.method;
    if (!methods.some((method) => method.toUpperCase() === request.method)) return false;
  }
  const checks: Array<[RequestField['from'], Readonly<Record<string, string | true>> | undefined]> = [
    ['query', match.query],
    ['header', match.headers],
    ['body', match.body],
  ];
  for (const [from, expected] of checks) {
    for (const [name, value] of Object.entries(expected ?? {})) {
      const actual = readField(request, { from, name });
      if (actual === undefined || (value !== true && actual !== value)) return false;
    }
  }
  return true;
}

/** Runs a matcher; a function that throws counts as "not a challenge". @internal */
export function runMatcher(request: WebhookRequest, matcher: ChallengeMatcher): boolean {
  try {
    return typeof matcher === 'function' ? matcher(request) === true : matchesRequest(request, matcher);
  } catch {
    return false;
  }
}

/**
 * Checks a presented value (Meta's `hub.verify_token`, Adobe Sign's client id) against every live
 * version of a configured secret in constant time. Fails closed: with no secret configured nothing
 * matches. Throws `no_secret_configured` or `challenge_verification_failed` (401); the messages
 * never contain either value.
 * @publicApi
 */
export function assertMatchesSecret(
  presented: string | undefined,
  secrets: readonly WebhookSecret[] | undefined,
  what = 'verify token',
): void {
  if (!secrets || secrets.length === 0) {
    throw new WebhookVerificationError(WebhookErrorCode.NoSecretConfigured, `No ${what} is configured.`);
  }
  if (presented === undefined || presented === '') {
    throw new WebhookVerificationError(WebhookErrorCode.ChallengeVerificationFailed, `The ${what} is missing.`);
  }
  // Compared as SHA-256 digests against every version: the time says neither which version matched
  // nor how long the expected token is.
  if (!matchSecret(presented, secrets)) {
    throw new WebhookVerificationError(WebhookErrorCode.ChallengeVerificationFailed, `The ${what} does not match.`);
  }
}

/** RFC 9110 token characters: what a header name may hold. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Configuration checks shared by the strategies; each returns a problem or undefined. @internal */
export const check = {
  status(status: unknown): string | undefined {
    return Number.isInteger(status) && (status as number) >= 200 && (status as number) <= 299
      ? undefined
      : `status must be an integer from 200 to 299 (got ${gotValue(status)})`;
  },
  headerName(name: unknown, label: string): string | undefined {
    return typeof name === 'string' && HEADER_NAME.test(name) ? undefined : `${label} is not a valid header name`;
  },
  text(value: unknown, label: string): string | undefined {
    return typeof value === 'string' && value.length > 0 ? undefined : `${label} must be a non-empty string`;
  },
  field(field: RequestField | undefined, label: string): string | undefined {
    if (!field || !['query', 'header', 'body'].includes(field.from)) {
      return `${label}.from must be 'query', 'header' or 'body'`;
    }
    const path = typeof field.name === 'string' ? [field.name] : field.name;
    if (!Array.isArray(path) || path.length === 0 || path.some((part) => typeof part !== 'string' || part === '')) {
      return `${label}.name must be a non-empty string (or, for the body, a path of them)`;
    }
    if (field.from !== 'body' && path.length !== 1) return `${label}.name must be one name for a ${field.from}`;
    if (field.from === 'header' && !HEADER_NAME.test(path[0])) return `${label}.name is not a valid header name`;
    return undefined;
  },
  matcher(matcher: ChallengeMatcher | undefined, label: string): string | undefined {
    if (typeof matcher === 'function') return undefined;
    if (typeof matcher !== 'object' || matcher === null) return `${label} must be a RequestMatch or a function`;
    for (const part of ['query', 'headers', 'body'] as const) {
      for (const [name, value] of Object.entries(matcher[part] ?? {})) {
        if (value !== true && typeof value !== 'string') return `${label}.${part}["${name}"] must be a string or true`;
        if (part === 'headers' && !HEADER_NAME.test(name)) return `${label}.headers["${name}"] is not a header name`;
      }
    }
    return undefined;
  },
};

/**
 * Holds the first configuration problem a strategy found in its options. The strategy reports it
 * from `validate(endpoint)`, naming the endpoint; until then it detects nothing and refuses to answer.
 * @internal
 */
export class OptionProblems {
  readonly first: string | undefined;

  constructor(strategy: string, problems: ReadonlyArray<string | undefined>) {
    const problem = problems.find((p) => p !== undefined);
    this.first = problem === undefined ? undefined : `${strategy}: ${problem}.`;
  }

  throwFor(endpoint: string): void {
    if (this.first !== undefined) throw new WebhookConfigurationError(`Webhook endpoint "${endpoint}": ${this.first}`);
  }

  throwIfAny(): void {
    if (this.first !== undefined) throw new WebhookConfigurationError(this.first);
  }
}
