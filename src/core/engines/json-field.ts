// Reads one string or number field of a JSON object body (the provider's event id) without parsing
// the whole body: verifying a 1 MiB Stripe event must not cost a 1 MiB JSON.parse on top of the
// HMAC. It walks the object's keys, skipping the values it does not need (strings are skipped with
// a native search for the closing quote), and stops at the field. The value found is decoded with
// JSON.parse, so escapes and numbers mean exactly what they mean to JSON.parse.
//
// It reads only what lies before the field: a body that is malformed after it still gives the id.
// That is safe because it only ever runs on bodies whose signature matched, and the id only keys
// deduplication. Where a key repeats, the first occurrence counts (JSON.parse keeps the last);
// providers never send duplicate keys.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
/** Nesting deeper than this is not followed (the field is then not found). */
const MAX_DEPTH = 64;

/** Thrown inside the scanner for input that is not JSON; never escapes {@link jsonField}. */
class NotJson extends Error {}
const NOT_JSON = new NotJson();

/**
 * The string or number at `path` in a JSON object body, or `undefined` when the body is not a JSON
 * object up to that field, the field is absent, or its value is another type. Never throws.
 * @internal
 */
export function jsonField(body: Buffer, path: readonly string[]): string | number | undefined {
  if (path.length === 0) return undefined;
  try {
    let pos = skipSpace(body, 0);
    for (let level = 0; ; level++) {
      if (body[pos] !== OPEN_OBJECT) return undefined;
      pos = findKey(body, pos + 1, path[level]);
      if (pos < 0) return undefined;
      if (level === path.length - 1) return readPrimitive(body, pos);
    }
  } catch (error) {
    // NotJson from the scanner, SyntaxError from JSON.parse of a malformed string or number.
    if (error instanceof NotJson || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/**
 * Walks the members of the object whose `{` is just before `pos`; returns the offset of the value
 * of `key`, or -1 when the object ends without it.
 */
function findKey(body: Buffer, pos: number, key: string): number {
  pos = skipSpace(body, pos);
  if (body[pos] === CLOSE_OBJECT) return -1;
  for (;;) {
    if (body[pos] !== QUOTE) throw NOT_JSON;
    const keyEnd = stringEnd(body, pos);
    const matches = keyEquals(body, pos, keyEnd, key);
    pos = skipSpace(body, keyEnd + 1);
    if (body[pos] !== COLON) throw NOT_JSON;
    pos = skipSpace(body, pos + 1);
    if (matches) return pos;
    pos = skipSpace(body, skipValue(body, pos, 0));
    if (body[pos] === CLOSE_OBJECT) return -1;
    if (body[pos] !== COMMA) throw NOT_JSON;
    pos = skipSpace(body, pos + 1);
  }
}

/** Whether the JSON string spanning `start`..`end` (its quotes) decodes to `key`. */
function keyEquals(body: Buffer, start: number, end: number, key: string): boolean {
  if (!isPlainAscii(body, start + 1, end)) return JSON.parse(body.toString('utf8', start, end + 1)) === key;
  if (end - start - 1 !== key.length) return false;
  for (let i = 0; i < key.length; i++) if (body[start + 1 + i] !== key.charCodeAt(i)) return false;
  return true;
}

/** A string or number value at `pos`, decoded by JSON.parse; other types give `undefined`. */
function readPrimitive(body: Buffer, pos: number): string | number | undefined {
  const first = body[pos];
  if (first === QUOTE) {
    const end = stringEnd(body, pos);
    // Printable ASCII without escapes reads as itself; anything else is left to JSON.parse.
    if (isPlainAscii(body, pos + 1, end)) return body.toString('latin1', pos + 1, end);
    return JSON.parse(body.toString('utf8', pos, end + 1)) as string;
  }
  if (first === 0x2d || (first >= 0x30 && first <= 0x39)) {
    return JSON.parse(body.toString('latin1', pos, scalarEnd(body, pos))) as number;
  }
  return undefined;
}

/** Bytes from `start` to `end` are printable ASCII with no backslash: a JSON string's text as is. */
function isPlainAscii(body: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = body[i];
    if (byte < 0x20 || byte >= 0x7f || byte === BACKSLASH) return false;
  }
  return true;
}

/** The offset just after the value that starts at `pos`. */
function skipValue(body: Buffer, pos: number, depth: number): number {
  const first = body[pos];
  if (first === QUOTE) return stringEnd(body, pos) + 1;
  if (first !== OPEN_OBJECT && first !== OPEN_ARRAY) {
    const end = scalarEnd(body, pos);
    if (end === pos) throw NOT_JSON;
    return end;
  }
  if (depth >= MAX_DEPTH) throw NOT_JSON;
  const close = first === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
  pos = skipSpace(body, pos + 1);
  if (body[pos] === close) return pos + 1;
  for (;;) {
    if (close === CLOSE_OBJECT) {
      if (body[pos] !== QUOTE) throw NOT_JSON;
      pos = skipSpace(body, stringEnd(body, pos) + 1);
      if (body[pos] !== COLON) throw NOT_JSON;
      pos = skipSpace(body, pos + 1);
    }
    pos = skipSpace(body, skipValue(body, pos, depth + 1));
    if (body[pos] === close) return pos + 1;
    if (body[pos] !== COMMA) throw NOT_JSON;
    pos = skipSpace(body, pos + 1);
  }
}

/** The offset of the quote that closes the string opening at `start`: one not escaped by a backslash. */
function stringEnd(body: Buffer, start: number): number {
  let quote = start;
  for (;;) {
    quote = body.indexOf(QUOTE, quote + 1);
    if (quote < 0) throw NOT_JSON;
    let backslashes = 0;
    while (body[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
}

/** The end of a number, `true`, `false` or `null` token: the next delimiter or whitespace. */
function scalarEnd(body: Buffer, pos: number): number {
  let end = pos;
  while (end < body.length) {
    const byte = body[end];
    if (byte === COMMA || byte === CLOSE_OBJECT || byte === CLOSE_ARRAY || isSpace(byte)) break;
    if (byte === QUOTE || byte === OPEN_OBJECT || byte === OPEN_ARRAY || byte === COLON) throw NOT_JSON;
    end++;
  }
  return end;
}

function skipSpace(body: Buffer, pos: number): number {
  while (pos < body.length && isSpace(body[pos])) pos++;
  return pos;
}

/** JSON's whitespace: space, tab, line feed, carriage return. */
function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}
