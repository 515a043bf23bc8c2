/**
 * A `+json` subtype exactly as body-parser's matcher (type-is, media-typer) reads one: both
 * adapters parse the same types, and the guard tells 415 from a setup mistake by the same test.
 */
const PLUS_JSON = /^application\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\+json$/;

/**
 * Whether the body parsers keep the raw bytes of this content type (JSON, forms, text, binary).
 * A body of any other type (XML, multipart) reaches the guard without them: it is refused with 415
 * `unsupported_media_type`, where a missing raw body of a parsed type means a setup mistake.
 */
export function isParsedMediaType(contentType: string | string[] | undefined): boolean {
  if (typeof contentType !== 'string') return false;
  const type = contentType.split(';', 1)[0].trim().toLowerCase();
  return (
    type === 'application/json' ||
    PLUS_JSON.test(type) ||
    type === 'application/x-www-form-urlencoded' ||
    type.startsWith('text/') ||
    type === 'application/octet-stream'
  );
}

export function isFormType(contentType: string | string[] | undefined): boolean {
  return typeof contentType === 'string' && /^application\/x-www-form-urlencoded\s*(?:;|$)/i.test(contentType);
}

/** JSON by its content type: `application/json` or any `+json` type the parsers parse as JSON. */
export function isJsonType(contentType: string | string[] | undefined): boolean {
  if (typeof contentType !== 'string') return false;
  const type = contentType.split(';', 1)[0].trim().toLowerCase();
  return type === 'application/json' || PLUS_JSON.test(type);
}
