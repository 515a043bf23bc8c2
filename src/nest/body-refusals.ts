import { WebhookException } from './webhook.exceptions';

// The platform's refusals of a body (size, encoding, parse), each with a stable `code` like the guard's own.

export function isClientStatus(status: unknown): boolean {
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** The `type` body-parser (Express) sets on the errors it raises. */
export interface BodyParserError {
  type?: string;
  status?: number;
  message?: string;
}

/** Every refusal of a body by the platform, with a stable `code` like the guard's own. */
export function bodyError(error: BodyParserError): WebhookException {
  switch (error.type) {
    case 'entity.too.large':
      return tooLarge();
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new WebhookException('unsupported_media_type', 'The body charset or encoding is not supported.', 415);
    case 'entity.parse.failed':
      return invalidBody(error);
    case 'parameters.too.many':
      // Express's form parser stops at 1,000 fields: a 413, coded as the catalogue pairs it.
      return new WebhookException('payload_too_large', 'The form has more fields than the parser takes (1,000).', 413);
    default:
      return new WebhookException('invalid_body', 'The request body could not be read.', error.status ?? 400);
  }
}

export function invalidBody(_error: { message?: string }): WebhookException {
  // A fixed message: the parser's own quotes the body, and an answer reflects nothing the sender chose.
  return new WebhookException('invalid_body', 'The request body is not valid for its content type.', 400);
}

export function tooLarge(): WebhookException {
  return new WebhookException('payload_too_large', 'The request body is larger than the limit.', 413);
}

export function unsupportedEncoding(): WebhookException {
  return new WebhookException(
    'unsupported_media_type',
    'The body has a content encoding; send the raw bytes (no Content-Encoding).',
    415,
  );
}

/**
 * A JSON body declared in another charset than UTF-8 (RFC 8259): 415 on both platforms. Express's
 * parser decoded UTF-16 and refused other names, Fastify read every body as UTF-8: one delivery had
 * two fates. `undefined` when the type names no charset or UTF-8.
 */
export function nonUtf8JsonRefusal(contentType: string | undefined): WebhookException | undefined {
  // Every `charset` the header names (a parser may keep the first or the last, or read one in quotes).
  const charsets = [...(contentType ?? '').matchAll(/charset\s*=\s*("?)([^";\s]*)\1/gi)].map((m) => m[2]);
  if (charsets.every((charset) => charset.toLowerCase() === 'utf-8')) return undefined;
  return new WebhookException('unsupported_media_type', 'A JSON body must be UTF-8 (charset=utf-8).', 415);
}
