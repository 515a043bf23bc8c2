import { WebhookConfigurationError, WebhookErrorCode, WebhookVerificationError } from '../errors';
import { assertWithinTolerance } from '../timestamp';
import { noMatchingSignature, parseJsonObject } from './scheme-support';

// The HMAC engine's reading and writing of the JSON body: a signature carried in a body field, and a
// signed timestamp carried in one.

/** Where the HMAC engine finds a timestamp in the body. @internal */
export interface BodyTimestamp {
  readonly field: string;
  readonly format?: 'unix-seconds' | 'unix-milliseconds';
}

/** The signature in the body's `signatureField`, as if it were a header named after the field. @internal */
export function readSignatureField(rawBody: Buffer, path: readonly string[]): Array<[string, string]> {
  const name = path.join('.');
  let node: unknown = parseJsonObject(rawBody);
  for (const key of path) {
    const container = node as Record<string, unknown> | undefined;
    node =
      typeof container === 'object' && container !== null && Object.prototype.hasOwnProperty.call(container, key)
        ? container[key]
        : undefined;
  }
  if (typeof node !== 'string' || node === '') {
    throw noMatchingSignature(`The body carries no ${name} signature field.`);
  }
  return [[`${name} (body field)`, node]];
}

/** The JSON object body with the signature written at `path`. @internal */
export function withSignatureField(
  rawBody: Buffer,
  path: readonly string[],
  signature: string,
  scheme: string,
): Buffer {
  const object = parseJsonObject(rawBody);
  if (!object) throw new WebhookConfigurationError(`The ${scheme} scheme signs JSON object bodies.`);
  let node: Record<string, unknown> = object;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = (node[key] = typeof next === 'object' && next !== null ? { ...next } : {}) as Record<string, unknown>;
  }
  node[path[path.length - 1]] = signature;
  return Buffer.from(JSON.stringify(object));
}

/** The body with the timestamp field set to the signed time; a body that is no JSON object is kept. @internal */
export function withBodyTimestamp(rawBody: Buffer, seconds: number, { field, format }: BodyTimestamp): Buffer {
  const value = format === 'unix-milliseconds' ? seconds * 1000 : seconds;
  const object = parseJsonObject(rawBody);
  if (!object || object[field] === value) return rawBody;
  return Buffer.from(JSON.stringify({ ...object, [field]: value }));
}

/** The timestamp in the signed body, in Unix seconds, within `toleranceSeconds` of `now`. @internal */
export function readBodyTimestamp(
  rawBody: Buffer,
  now: number,
  { field, format = 'unix-seconds' }: BodyTimestamp,
  toleranceSeconds: number,
  scheme: string,
): number {
  const value = parseJsonObject(rawBody)?.[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    // Signed but without a usable time: its freshness cannot be judged, so it is not accepted.
    const unit = format === 'unix-milliseconds' ? 'milliseconds' : 'seconds';
    throw new WebhookVerificationError(
      WebhookErrorCode.TimestampTooOld,
      `The ${scheme} payload has no ${field} (${unit}), so its freshness cannot be checked.`,
    );
  }
  const signedAt = format === 'unix-milliseconds' ? Math.floor(value / 1000) : value;
  assertWithinTolerance(signedAt, now, toleranceSeconds);
  return signedAt;
}
