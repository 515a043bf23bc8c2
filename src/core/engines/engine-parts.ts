import { createHash } from 'node:crypto';
import { WebhookConfigurationError } from '../errors';
import { parseUnixSeconds } from '../timestamp';
import { invalidHeader, parseRfc3339Seconds } from './scheme-support';

/** @publicApi */
export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

/** @publicApi */
export type TimestampFormat = 'unix-seconds' | 'unix-milliseconds' | 'rfc3339';

// The pieces the engines of this folder each had a copy of: the digest sizes, form detection, the
// bound on signature lists, signing-template parsing and the signed-timestamp formats.

/** The size of each HMAC digest, in bytes: a signature of another size is malformed. @internal */
export const DIGEST_BYTES: Readonly<Record<HmacAlgorithm, number>> = { sha1: 20, sha256: 32, sha512: 64 };

/** At most this many entries of a signature list are looked at; more is malformed. @internal */
export const MAX_LIST_ENTRIES = 32;

const FORM = /^application\/x-www-form-urlencoded\s*(?:;|$)/i;

/** Whether a content type is a URL-encoded form (parameters after `;` allowed). @internal */
export function isFormContentType(contentType: string | undefined): boolean {
  return FORM.test(contentType ?? '');
}

/** A piece of a signing template: literal text, a placeholder, or a header's value (`{header:NAME}`). @internal */
export type TemplatePart<P extends string> =
  { readonly text: string } | { readonly value: P } | { readonly header: string };

/** A top-level field of the JSON body in a template (`{field:NAME}`), with the `fields` option. @internal */
export interface FieldPart {
  readonly field: string;
}

interface TemplateOptions<P extends string> {
  readonly headers?: boolean;
  /** `{field:NAME}` is allowed (the digest engine hashes body fields). */
  readonly fields?: boolean;
  readonly bodyPlaceholders?: readonly P[];
  /** The engine was told the body is not signed (a weaker scheme, declared as such): no body placeholder needed. */
  readonly bodyOptional?: boolean;
}

const PLACEHOLDER = /\{([^{}]*)\}/g;
const HEADER_PLACEHOLDER = /^header:([!#$%&'*+.^_`|~0-9A-Za-z-]+)$/;

/**
 * Splits a signing template into parts. An unknown placeholder is a configuration error, and so is
 * a template without one of `bodyPlaceholders`: a signature that does not cover the body
 * authenticates nothing. `{header:NAME}` is allowed only with `headers`.
 * @internal
 */
export function parseTemplate<P extends string>(
  template: string,
  name: string,
  allowed: readonly P[],
  options: TemplateOptions<P> & { readonly fields: true },
): Array<TemplatePart<P> | FieldPart>;
export function parseTemplate<P extends string>(
  template: string,
  name: string,
  allowed: readonly P[],
  options?: TemplateOptions<P>,
): TemplatePart<P>[];
export function parseTemplate<P extends string>(
  template: string,
  name: string,
  allowed: readonly P[],
  options: TemplateOptions<P> = {},
): Array<TemplatePart<P> | FieldPart> {
  const parts: Array<TemplatePart<P> | FieldPart> = [];
  const bodies: readonly string[] = options.bodyPlaceholders ?? ['body'];
  let last = 0;
  let signsBody = false;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const placeholder = match[1];
    const header = options.headers ? HEADER_PLACEHOLDER.exec(placeholder)?.[1] : undefined;
    const field = options.fields && /^field:./.test(placeholder) ? placeholder.slice(6) : undefined;
    if (header === undefined && field === undefined && !(allowed as readonly string[]).includes(placeholder)) {
      const known = [
        ...allowed.map((known) => `{${known}}`),
        ...(options.headers ? ['{header:NAME}'] : []),
        ...(options.fields ? ['{field:name}'] : []),
      ];
      throw new WebhookConfigurationError(
        `The ${name} scheme's template has an unknown placeholder {${placeholder}} (known: ${known.join(', ')}).`,
      );
    }
    if (match.index > last) parts.push({ text: template.slice(last, match.index) });
    if (field !== undefined) parts.push({ field });
    else parts.push(header === undefined ? { value: placeholder as P } : { header: header.toLowerCase() });
    signsBody ||= bodies.includes(placeholder);
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ text: template.slice(last) });
  if (!signsBody && !options.bodyOptional) {
    throw new WebhookConfigurationError(
      `The ${name} scheme's template must contain {body}: a signature that does not cover the body authenticates nothing.`,
    );
  }
  return parts;
}

/** As Unix seconds (src/core/timestamp.ts): digits only, no leading zero. */
const MILLIS = /^(?:0|[1-9][0-9]{0,14})$/;

/** Reads a signed timestamp to Unix seconds; malformed is `invalid_header` naming `header`. @internal */
export function parseTimestamp(value: string, format: TimestampFormat, header: string): number {
  switch (format) {
    case 'rfc3339':
      return parseRfc3339Seconds(value, header);
    case 'unix-milliseconds':
      if (!MILLIS.test(value)) throw invalidHeader(header, 'a Unix timestamp in milliseconds (digits only)');
      return Math.floor(Number(value) / 1000);
    default:
      return parseUnixSeconds(value, header);
  }
}

/** Unix seconds written the way {@link parseTimestamp} reads them back. @internal */
export function formatTimestamp(seconds: number, format: TimestampFormat): string {
  switch (format) {
    case 'rfc3339':
      return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
    case 'unix-milliseconds':
      return String(seconds * 1000);
    default:
      return String(seconds);
  }
}

/**
 * The dedupe key of a scheme whose signature does not cover the whole body: SHA-256 over each
 * signed value with its length, so that no two different contents share a key. @internal
 */
export function signedValuesKey(values: Iterable<string | Buffer>): string {
  const hash = createHash('sha256');
  for (const value of values) hash.update(`${value.length}:`).update(value);
  return `sha256:${hash.digest('hex')}`;
}
