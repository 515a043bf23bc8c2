import { isFormType, isJsonType } from './media-types';
import { mayHavePrototypeKeys, removePrototypeKeys } from './prototype-keys';

/** What the payload is read from: the request's content type, its verified bytes, the platform's parse. */
export interface PayloadSource {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly rawBody: Buffer | undefined;
  /** `req.body` as the platform parsed it. */
  readonly parsedBody?: unknown;
}

/** The payload the handler sees: what the platform parsed, or the JSON it did not parse. */
export function deliveryPayload(source: PayloadSource): unknown {
  const type = source.headers['content-type'];
  // A form is read from the verified bytes with the parser the schemes use (URLSearchParams): the
  // platform's (qs, with brackets and nesting) could read other fields than were verified.
  if (isFormType(type) && source.rawBody) return formFields(source.rawBody);
  const parsed = source.parsedBody;
  const json = isJsonType(type);
  if (parsed !== undefined && !Buffer.isBuffer(parsed)) {
    if (typeof parsed !== 'string' || !json) return json ? withoutPrototypeKeys(parsed, source.rawBody) : parsed;
  }
  if (json && source.rawBody && source.rawBody.length > 0) {
    try {
      return withoutPrototypeKeys(JSON.parse(source.rawBody.toString('utf8')), source.rawBody);
    } catch {
      return undefined;
    }
  }
  return parsed;
}

/** JSON as JSON.parse gives it, less the keys that could reach a prototype when merged. */
function withoutPrototypeKeys(value: unknown, rawBody: Buffer | undefined): unknown {
  if (mayHavePrototypeKeys(rawBody)) removePrototypeKeys(value);
  return value;
}

/** Fields by name (a repeated name gives every value, in order); no prototype, so any name is safe. */
export function formFields(rawBody: Buffer): Record<string, string | string[]> {
  const fields = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of new URLSearchParams(rawBody.toString('utf8'))) {
    const previous = fields[name];
    // Appended in place: a body of many repeated names must cost linear time, not quadratic.
    if (previous === undefined) fields[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else fields[name] = [previous, value];
  }
  return fields;
}
