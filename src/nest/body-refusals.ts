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
