import { createHmac } from 'node:crypto';
import type { ChallengeContext } from '../../challenge-strategy';
import { WebhookErrorCode, WebhookVerificationError } from '../../errors';
import type { WebhookRequest } from '../../request';
import type { WebhookSecret } from '../../secret';
import { readBody } from '../challenge-request';
import { assertComputableToken } from '../computed-token';
import { assertSafeToken, type ResolvedTokenSafety } from '../token-safety';
import { isPlainObject, type BodyTemplate, type CompiledToken, type SecretRef, type Template } from './compile';

// Evaluation (each request): the CEL variables of a request, the computed tokens and the rendered answer.

/** The CEL variables of a request; each is built only when an expression reads it (deliveries pass here too). */
export function requestVariables(request: WebhookRequest, reads: ReadonlySet<string>): Record<string, unknown> {
  const variables: Record<string, unknown> = { http_method: request.method };
  if (reads.has('headers')) {
    variables.headers = stringEntries(request.headers, (value) => (Array.isArray(value) ? value.join(', ') : value));
  }
  if (reads.has('query_params')) variables.query_params = stringEntries(request.query, (value) => value);
  if (reads.has('raw_body'))
    variables.raw_body = Buffer.isBuffer(request.rawBody) ? request.rawBody.toString('utf8') : '';
  if (reads.has('parsed_body')) variables.parsed_body = readBody(request) ?? null;
  return variables;
}

/**
 * Own entries whose value maps to a string; others (a parameter sent twice, an object) are left out.
 * A Map, not an object: the names are the sender's, and CEL types an object by its `constructor`,
 * so a parameter named `constructor` made it refuse the whole map (the rule then saw nothing).
 */
function stringEntries(source: unknown, map: (value: unknown) => unknown): Map<string, string> {
  const result = new Map<string, string>();
  if (!isPlainObject(source)) return result;
  for (const key of Object.keys(source)) {
    const value = map(source[key]);
    if (typeof value === 'string') result.set(key, value);
  }
  return result;
}

export function secretVersions(ref: SecretRef, context: ChallengeContext): readonly WebhookSecret[] {
  if (ref.kind === 'literal') return [{ version: 0, value: ref.value }];
  return (ref.kind === 'endpoint' ? context.secrets : context.namedSecrets[ref.name]) ?? [];
}

export function computeToken(
  token: CompiledToken,
  variables: Record<string, unknown>,
  context: ChallengeContext,
): string {
  let payload: unknown;
  try {
    payload = token.payload.evaluate(variables);
  } catch {
    payload = undefined;
  }
  if (typeof payload !== 'string' && !(payload instanceof Uint8Array)) {
    throw new WebhookVerificationError(WebhookErrorCode.InvalidChallenge, 'The challenge value to sign is missing.');
  }
  // Only token-shaped values are signed, so a computed answer is never a delivery's signature.
  assertComputableToken(payload);
  const secret = secretVersions(token.secret, context)[0];
  if (secret === undefined) {
    throw new WebhookVerificationError(WebhookErrorCode.NoSecretConfigured, 'No secret is configured to answer.');
  }
  return token.prefix + createHmac(token.algorithm, secret.value).update(payload).digest(token.encoding);
}

/** A placeholder's value as text: strings, numbers and booleans; anything else cannot be echoed. */
function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

export function render(template: Template, variables: Record<string, unknown>, safety: ResolvedTokenSafety): string {
  let text = '';
  for (const piece of template) {
    if (typeof piece === 'string') {
      text += piece;
      continue;
    }
    let value: unknown;
    try {
      value = piece.evaluate(variables);
    } catch {
      value = undefined;
    }
    // Every value a placeholder produces is attacker-influenced: bounded like an echoed token.
    text += assertSafeToken(asText(value), safety, 'challenge value');
  }
  return text;
}

export function renderJson(
  template: BodyTemplate,
  variables: Record<string, unknown>,
  safety: ResolvedTokenSafety,
): unknown {
  switch (template.kind) {
    case 'template':
      return render(template.template, variables, safety);
    case 'constant':
      return template.value;
    case 'array':
      return template.items.map((item) => renderJson(item, variables, safety));
    case 'object':
      return Object.fromEntries(template.entries.map(([key, item]) => [key, renderJson(item, variables, safety)]));
  }
}
