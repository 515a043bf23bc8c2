import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { constantTimeEqual } from '../constant-time';
import { WebhookConfigurationError } from '../errors';
import { headerValue, type WebhookRequest } from '../request';
import { memoizeKey, type WebhookSecret } from '../secret';
import type {
  SignatureScheme,
  SignatureVerification,
  SignedDelivery,
  SignInput,
  VerifyContext,
} from '../signature-scheme';
import { assertWithinTolerance } from '../timestamp';
import { DIGEST_BYTES, isFormContentType, signedValuesKey } from './engine-parts';
import type { HmacAlgorithm } from './hmac.engine';
import {
  assertHasSecrets,
  assertTolerance,
  decodeDigest,
  noMatchingSignature,
  parseJsonObject,
  toPath,
  utf8SecretBytes,
} from './scheme-support';

/**
 * A signature carried in the body with the fields it signs, described as data.
 * @publicApi
 * @example
 * // Mailgun: {"signature": {"timestamp", "token", "signature"}}, hex HMAC-SHA256 of timestamp + token
 * { name: 'mailgun', fieldsIn: 'signature', form: true, template: '{timestamp}{token}',
 *   signatureField: 'signature', timestampField: 'timestamp', idField: 'token', toleranceSeconds: 900 }
 */
export interface BodyFieldsSchemeOptions {
  /**
   * Shown in logs and the admin API.
   * @default 'body-fields-hmac'
   */
  readonly name?: string;
  /**
   * The path of the JSON object holding the fields (`'signature'`); absent: the body's top level.
   * A segment `0` selects the only element of an array (`'items.0.item'`): an array holding more is
   * refused, since its other elements would not be signed.
   */
  readonly fieldsIn?: string | readonly string[];
  /** Also read the fields from a form body (`application/x-www-form-urlencoded`), at its top level. */
  readonly form?: boolean;
  /**
   * What is signed: literal text and placeholders naming fields of that object (`{timestamp}{token}`).
   * Each named field must be a string of 1–256 visible ASCII characters (see `looseFields`). In a
   * JSON body a dotted name is a path below that object (`{amount.value}`).
   */
  readonly template: string;
  /** The field holding the signature (a dotted name is a path, as in the template). */
  readonly signatureField: string;
  /**
   * Fields that may also carry a signature of the same text, under another account's key (Mailgun's
   * `parent-signature`, keyed with the primary account's key on a subaccount's events). Optional:
   * a delivery passes when any present one matches a configured secret.
   */
  readonly otherSignatureFields?: readonly string[];
  /**
   * For providers that sign whatever their record holds: a signed field may be absent or `null`
   * (signed as the empty text), an integer or a boolean (signed as its JSON text), or any string of
   * at most 1,024 characters. The signature field stays strict.
   * @default false
   */
  readonly looseFields?: boolean;
  /**
   * How the secret string becomes the key: its UTF-8 bytes, or decoded from hex (a `Buffer` secret
   * is used as is).
   * @default 'utf8'
   */
  readonly keyEncoding?: 'utf8' | 'hex';
  /** @default 'sha256' */
  readonly algorithm?: HmacAlgorithm;
  /** @default 'hex' */
  readonly encoding?: 'hex' | 'base64';
  /**
   * A signed field holding the Unix time in seconds (a string of digits, or an integer): a request
   * outside `toleranceSeconds` is refused.
   */
  readonly timestampField?: string;
  /** @default 300 */
  readonly toleranceSeconds?: number;
  /**
   * A signed field reported as the message id: a replayed value is a duplicate and never reaches the
   * handler twice. `sign()` writes the delivery's id into it.
   */
  readonly idField?: string;
}

const PLACEHOLDER = /\{([^{}]*)\}/g;
// As Unix seconds everywhere (src/core/timestamp.ts): no leading zero, which a template joining the
// timestamp to another field (`{token}{timestamp}`) would let move across the join.
const TIMESTAMP = /^(?:0|[1-9][0-9]{0,11})$/;
/** A signed field value: printable, bounded (a 50-character token with room to spare). */
const FIELD = /^[\x21-\x7e]{1,256}$/;
/** A signed field value under `looseFields`: any text, bounded. */
const LOOSE_FIELD_LENGTH = 1024;
const HEX_KEY = /^(?:[0-9a-fA-F]{2})+$/;

type Part = { readonly text: string } | { readonly field: string };

/**
 * The body-fields HMAC engine: the signature and the values it covers travel in the body (a JSON
 * object, or form fields), not in headers. What it signs need not cover the rest of the body, so the
 * signed id field is what stops a replay. A body without well-formed fields is unauthenticated
 * (401 `no_matching_signature`: there is no header to call malformed). Multipart bodies are not read.
 * Since the string to sign may be made of token characters only, it does not promise to refuse
 * computed challenge answers (`refusesChallengeAnswers` is unset).
 * @publicApi
 */
export class BodyFieldsScheme implements SignatureScheme {
  readonly name: string;
  readonly requiresSecret = true;
  readonly toleranceSeconds?: number;
  private readonly parts: readonly Part[];
  /** The fields the template names, in order, each once. */
  private readonly signedFields: readonly string[];
  private readonly container: readonly string[];
  private readonly algorithm: HmacAlgorithm;
  private readonly encoding: 'hex' | 'base64';
  private readonly keyOf: (secret: WebhookSecret) => KeyObject;

  constructor(private readonly options: BodyFieldsSchemeOptions) {
    this.name = options.name ?? 'body-fields-hmac';
    if (!options.signatureField) {
      throw new WebhookConfigurationError(`The ${this.name} scheme needs a \`signatureField\`.`);
    }
    this.algorithm = options.algorithm ?? 'sha256';
    this.encoding = options.encoding ?? 'hex';
    if (!(this.algorithm in DIGEST_BYTES) || (this.encoding !== 'hex' && this.encoding !== 'base64')) {
      throw new WebhookConfigurationError(
        `The ${this.name} scheme's algorithm must be sha1, sha256 or sha512, and its encoding hex or base64.`,
      );
    }
    this.parts = parseTemplate(options.template ?? '');
    this.signedFields = [...new Set(this.parts.flatMap((part) => ('field' in part ? [part.field] : [])))];
    if (this.signedFields.length === 0 || this.signedFields.includes(options.signatureField)) {
      throw new WebhookConfigurationError(
        `The ${this.name} scheme's template must name the signed fields (and not the signature field).`,
      );
    }
    for (const field of [options.timestampField, options.idField]) {
      if (field !== undefined && !this.signedFields.includes(field)) {
        // An unsigned timestamp or id can be rewritten by anyone: it would protect nothing.
        throw new WebhookConfigurationError(`The ${this.name} scheme's template must sign {${field}}.`);
      }
    }
    if (options.timestampField !== undefined) {
      this.toleranceSeconds = assertTolerance(options.toleranceSeconds ?? 300, this.name);
    }
    this.container = options.fieldsIn === undefined ? [] : toPath(options.fieldsIn);
    if (options.keyEncoding !== undefined && options.keyEncoding !== 'utf8' && options.keyEncoding !== 'hex') {
      throw new WebhookConfigurationError(`The ${this.name} scheme's keyEncoding must be utf8 or hex.`);
    }
    this.keyOf = memoizeKey((secret) => createSecretKey(this.keyBytes(secret.value)));
  }

  /** The key bytes of a secret: its UTF-8 text, or decoded from hex (`keyEncoding`). */
  private keyBytes(secret: string | Buffer): Buffer {
    if (this.options.keyEncoding !== 'hex' || Buffer.isBuffer(secret)) return utf8SecretBytes(secret);
    if (!HEX_KEY.test(secret)) throw new WebhookConfigurationError(`A webhook secret for ${this.name} must be hex.`);
    return Buffer.from(secret, 'hex');
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], context: VerifyContext): SignatureVerification {
    const fields = this.readFields(request);
    const expected =
      fields && decodeDigest(fields.get(this.options.signatureField)!, this.encoding, this.digestBytes());
    if (!fields || !expected) {
      throw noMatchingSignature(
        `The body carries no well-formed ${this.name} signature (${[...this.signedFields, this.options.signatureField].join(', ')}).`,
      );
    }
    assertHasSecrets(secrets);
    const timestampField = this.options.timestampField;
    const signedAt = timestampField === undefined ? undefined : Number(fields.get(timestampField));
    if (signedAt !== undefined) {
      assertWithinTolerance(signedAt, Math.floor(context.receivedAt / 1000), this.toleranceSeconds!);
    }
    const candidates = [expected];
    for (const name of this.options.otherSignatureFields ?? []) {
      const other = fields.has(name) ? decodeDigest(fields.get(name)!, this.encoding, this.digestBytes()) : undefined;
      if (other) candidates.push(other);
    }
    for (const secret of secrets) {
      const digest = this.digest(this.keyOf(secret), fields);
      if (candidates.some((candidate) => constantTimeEqual(digest, candidate))) {
        return {
          secretVersion: secret.version,
          ...(this.options.idField !== undefined
            ? { messageId: fields.get(this.options.idField) }
            : { signedContentKey: this.contentKey(fields) }),
          ...(signedAt !== undefined ? { signedAt: new Date(signedAt * 1000) } : {}),
        };
      }
    }
    throw noMatchingSignature();
  }

  /**
   * Writes the signed fields and the signature into the body, as the provider does: the timestamp
   * field gets `input.timestamp`, the id field `input.id`, other signed fields keep the body's values.
   * The rest of the body is re-serialised (the signature does not cover it).
   */
  sign(input: SignInput): SignedDelivery {
    const form = this.options.form === true && isFormContentType(input.contentType);
    const values = new Map<string, string>();
    const formBody = form ? new URLSearchParams(input.body.toString('utf8')) : undefined;
    const json = form ? undefined : parseJsonObject(input.body);
    if (!form && !json) throw new WebhookConfigurationError(`The ${this.name} scheme signs JSON object bodies.`);
    const target = json ? containerFor(json, this.container) : undefined;
    for (const field of this.signedFields) {
      const present = formBody ? formBody.get(field) : fieldAt(target, field);
      const value = this.options.looseFields ? looseText(present) : present;
      if (typeof value === 'string') values.set(field, value);
    }
    if (this.options.timestampField !== undefined) values.set(this.options.timestampField, String(input.timestamp));
    if (this.options.idField !== undefined) values.set(this.options.idField, input.id);
    const missing = this.signedFields.filter((field) => !values.has(field));
    if (missing.length > 0) {
      throw new WebhookConfigurationError(`The body to sign lacks the ${this.name} field(s) ${missing.join(', ')}.`);
    }
    const key = this.keyBytes(input.key);
    values.set(this.options.signatureField, this.digest(key, values).toString(this.encoding));
    // Only what sign() chose is written back: the other signed fields keep their JSON type.
    const written = [this.options.signatureField, this.options.timestampField, this.options.idField];
    for (const [field, value] of values) {
      if (!written.includes(field)) continue;
      if (formBody) formBody.set(field, value);
      else setFieldAt(target!, field, value);
    }
    const body = formBody ? formBody.toString() : JSON.stringify(json);
    return { headers: {}, body: Buffer.from(body, 'utf8') };
  }

  validateSecret(secret: string | Buffer): void {
    this.keyBytes(secret);
  }

  /**
   * Without an id, a copy is recognised by the signed fields (each with its length, so that no two
   * contents share a key), not by the body: the rest of it is unsigned, and each change to it
   * (a space, a field added) would make a captured notification a new delivery.
   */
  private contentKey(fields: ReadonlyMap<string, string>): string {
    return signedValuesKey(this.signedFields.map((field) => fields.get(field) ?? ''));
  }

  private digestBytes(): number {
    return DIGEST_BYTES[this.algorithm];
  }

  private digest(key: KeyObject | Buffer, fields: ReadonlyMap<string, string>): Buffer {
    const hmac = createHmac(this.algorithm, key);
    for (const part of this.parts) hmac.update('text' in part ? part.text : fields.get(part.field)!, 'utf8');
    return hmac.digest();
  }

  /** The signed fields and the signature, each well formed, or `undefined`. */
  private readFields(request: WebhookRequest): Map<string, string> | undefined {
    let read: (name: string) => unknown;
    if (this.options.form && isFormContentType(headerValue(request, 'content-type'))) {
      const form = new URLSearchParams(request.rawBody.toString('utf8'));
      read = (name) => (form.getAll(name).length === 1 ? form.get(name) : undefined);
    } else {
      let object: unknown = parseJsonObject(request.rawBody);
      for (const key of this.container) object = ownField(object, key);
      if (!isObject(object)) return undefined;
      read = (name) => fieldAt(object, name);
    }
    const fields = new Map<string, string>();
    for (const name of [...this.signedFields, this.options.signatureField]) {
      let value = read(name);
      // A timestamp sent as an integer is the same signed digits.
      if (name === this.options.timestampField && typeof value === 'number' && Number.isSafeInteger(value)) {
        value = String(value);
      }
      if (this.options.looseFields && name !== this.options.signatureField && name !== this.options.timestampField) {
        const text = looseText(value);
        if (text === undefined) return undefined;
        fields.set(name, text);
        continue;
      }
      if (typeof value !== 'string') return undefined;
      if (name === this.options.timestampField ? !TIMESTAMP.test(value) : !FIELD.test(value)) return undefined;
      fields.set(name, value);
    }
    // Optional: one absent or malformed is no candidate, never a refusal of the others.
    for (const name of this.options.otherSignatureFields ?? []) {
      const value = read(name);
      if (typeof value === 'string' && FIELD.test(value)) fields.set(name, value);
    }
    return fields;
  }
}

/**
 * Builds a {@link BodyFieldsScheme} from data.
 * @publicApi
 */
export function bodyFieldsSignature(options: BodyFieldsSchemeOptions): BodyFieldsScheme {
  return new BodyFieldsScheme(options);
}

function parseTemplate(template: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push({ text: template.slice(last, match.index) });
    parts.push({ field: match[1] });
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ text: template.slice(last) });
  return parts;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An own property only: `__proto__` and inherited names are never fields. `'0'` of an array is its
 * only element: an array holding more gives `undefined` (its other elements would be unsigned).
 */
function ownField(object: unknown, name: string): unknown {
  if (Array.isArray(object)) return name === '0' && object.length === 1 ? (object[0] as unknown) : undefined;
  return isObject(object) && Object.prototype.hasOwnProperty.call(object, name) ? object[name] : undefined;
}

/** The value at a dotted name below `object` (`amount.value`). */
function fieldAt(object: unknown, name: string): unknown {
  return name.split('.').reduce<unknown>((node, key) => ownField(node, key), object);
}

/** Sets the value at a dotted name below `object`, creating the objects on the way. */
function setFieldAt(object: Record<string, unknown>, name: string, value: string): void {
  const path = name.split('.');
  containerFor(object, path.slice(0, -1))[path[path.length - 1]] = value;
}

/** A loose signed field as text: absent or null is empty, integers and booleans their JSON text. */
function looseText(value: unknown): string | undefined {
  if (value === undefined || value === null) return '';
  if (typeof value === 'boolean' || (typeof value === 'number' && Number.isSafeInteger(value))) return String(value);
  return typeof value === 'string' && value.length <= LOOSE_FIELD_LENGTH ? value : undefined;
}

/** The object at `path` in a parsed body, created when absent (for signing). */
function containerFor(root: Record<string, unknown>, path: readonly string[]): Record<string, unknown> {
  let node: Record<string, unknown> | unknown[] = root;
  for (const key of path) {
    const next: unknown = ownField(node, key);
    if (isObject(next) || Array.isArray(next)) node = next;
    else if (Array.isArray(node))
      throw new WebhookConfigurationError(`The body to sign has no single element at ${key}.`);
    else node = node[key] = {};
  }
  if (Array.isArray(node)) throw new WebhookConfigurationError('The body to sign holds an array where the fields go.');
  return node;
}
