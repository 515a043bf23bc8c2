import { createHmac } from 'node:crypto';
import type { ChallengeContext, ChallengeResponse, ChallengeStrategy } from '../../challenge-strategy';
import { WebhookConfigurationError, WebhookErrorCode, WebhookVerificationError } from '../../errors';
import type { WebhookRequest } from '../../request';
import type { WebhookSecret } from '../../secret';
import { assertMatchesSecret, readBody } from '../challenge-request';
import { assertComputableToken } from '../computed-token';
import { DEFAULT_VERIFY_TOKEN_SECRET } from '../token-echo.strategy';
import { assertSafeToken, resolveTokenSafety, type ResolvedTokenSafety } from '../token-safety';
import {
  compileExpression,
  siteError,
  TOKEN_VARIABLE,
  type CompiledExpression,
  type ExpressionSite,
} from './cel-expression';
import type {
  DeclarativeChallengeRule,
  DeclarativeChallengeToken,
  DeclarativeJsonValue,
  DeclarativeSecret,
} from './declarative-rule.interface';
import { splitTemplate, TemplateSyntaxError } from './template';

type SecretRef =
  | { readonly kind: 'endpoint' }
  | { readonly kind: 'named'; readonly name: string }
  | { readonly kind: 'literal'; readonly value: string };

/** A template: literal text and compiled placeholders, rendered to one string. */
type Template = ReadonlyArray<string | CompiledExpression>;

/** A body template: the shape of the JSON body with templates at its string leaves. */
type BodyTemplate =
  | { readonly kind: 'template'; readonly template: Template }
  | { readonly kind: 'constant'; readonly value: unknown }
  | { readonly kind: 'array'; readonly items: readonly BodyTemplate[] }
  | { readonly kind: 'object'; readonly entries: ReadonlyArray<readonly [string, BodyTemplate]> };

interface CompiledToken {
  readonly name: string;
  readonly algorithm: 'sha1' | 'sha256' | 'sha512';
  readonly secret: SecretRef;
  readonly payload: CompiledExpression;
  readonly encoding: 'hex' | 'base64';
  readonly prefix: string;
}

interface CompiledRule {
  readonly detect: CompiledExpression;
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, Template]>;
  readonly body:
    | { readonly kind: 'text'; readonly template: Template }
    | { readonly kind: 'json'; readonly template: BodyTemplate }
    | undefined;
  readonly tokens: readonly CompiledToken[];
  readonly verify: { readonly value: CompiledExpression; readonly secret: SecretRef } | undefined;
  readonly safety: ResolvedTokenSafety;
  /** Whether detect needs the body, and whether answering does. */
  readonly detectReads: ReadonlySet<string>;
  readonly respondReads: ReadonlySet<string>;
}

const ALGORITHMS: Readonly<Record<string, CompiledToken['algorithm']>> = {
  'HMAC-SHA1': 'sha1',
  'HMAC-SHA256': 'sha256',
  'HMAC-SHA512': 'sha512',
};
const TOKEN_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const UNPRINTABLE = /[^\x20-\x7E]/;

/** The placeholder name the strategy uses until `validate(endpoint)` names the endpoint. */
const UNNAMED = '(not yet validated)';

/**
 * A challenge defined as data ({@link DeclarativeChallengeRule}): detected and answered with CEL
 * expressions and templates. The rule is compiled once, in `validate(endpoint)` (the module calls it
 * at start-up), so a bad expression or an unknown token stops the application with a message that
 * names the endpoint, the field and the position. An instance that was never validated compiles
 * itself on first use and, if the rule is bad, detects nothing.
 * @publicApi
 */
export class DeclarativeChallengeStrategy implements ChallengeStrategy {
  readonly kind = 'declarative' as const;
  readonly signed: boolean;
  readonly secretNames?: readonly string[];
  /** A token keyed with the endpoint's secret (the default) or a literal one, which could be it. */
  readonly computesWithSigningSecret: boolean;
  private compiled: CompiledRule | undefined;
  private compileError: WebhookConfigurationError | undefined;

  constructor(readonly rule: DeclarativeChallengeRule) {
    this.signed = rule?.signed === true;
    const names = new Set<string>(Array.isArray(rule?.secretNames) ? rule.secretNames : []);
    const refs = [
      ...(Array.isArray(rule?.challenge_tokens) ? rule.challenge_tokens.map((token) => token?.secret) : []),
      rule?.verify_token
        ? (rule.verify_token.secret ?? { from: 'named', name: DEFAULT_VERIFY_TOKEN_SECRET })
        : undefined,
    ];
    for (const ref of refs) {
      if (typeof ref === 'object' && ref !== null && ref.from === 'named' && typeof ref.name === 'string') {
        names.add(ref.name);
      }
    }
    if (names.size > 0) this.secretNames = [...names];
    this.computesWithSigningSecret =
      Array.isArray(rule?.challenge_tokens) &&
      rule.challenge_tokens.some((token) => !(isPlainObject(token?.secret) && token.secret.from === 'named'));
  }

  validate(endpoint: string): void {
    this.compiled = compileRule(this.rule, endpoint);
    this.compileError = undefined;
  }

  detect(request: WebhookRequest): boolean {
    try {
      const rule = this.ready();
      return rule !== undefined && rule.detect.evaluate(requestVariables(request, rule.detectReads)) === true;
    } catch {
      // A detect expression that fails at run time (a missing key, a body that is not JSON) is no challenge.
      return false;
    }
  }

  respond(request: WebhookRequest, context: ChallengeContext): ChallengeResponse {
    const rule = this.ready();
    if (!rule) throw this.compileError ?? new WebhookConfigurationError('The challenge rule does not compile.');
    const variables = requestVariables(request, rule.respondReads);

    if (rule.verify) {
      let presented: string | undefined;
      try {
        const value: unknown = rule.verify.value.evaluate(variables);
        presented = typeof value === 'string' ? value : undefined;
      } catch {
        presented = undefined;
      }
      assertMatchesSecret(presented, secretVersions(rule.verify.secret, context));
    }

    const tokens: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const token of rule.tokens) tokens[token.name] = computeToken(token, variables, context);
    const templateVariables = { ...variables, [TOKEN_VARIABLE]: tokens };

    const headers: Record<string, string> = {};
    for (const [name, template] of rule.headers) headers[name] = render(template, templateVariables, rule.safety);
    const response: { status: number; headers?: Record<string, string>; body?: string | Record<string, unknown> } = {
      status: rule.status,
    };
    if (rule.headers.length > 0) response.headers = headers;
    if (rule.body?.kind === 'text') response.body = render(rule.body.template, templateVariables, rule.safety);
    if (rule.body?.kind === 'json') {
      response.body = renderJson(rule.body.template, templateVariables, rule.safety) as Record<string, unknown>;
    }
    return response;
  }

  private ready(): CompiledRule | undefined {
    if (this.compiled || this.compileError) return this.compiled;
    try {
      this.compiled = compileRule(this.rule, UNNAMED);
    } catch (error) {
      if (!(error instanceof WebhookConfigurationError)) throw error;
      this.compileError = error;
    }
    return this.compiled;
  }
}

/**
 * A challenge strategy from a {@link DeclarativeChallengeRule}.
 * @publicApi
 * @example
 * declarativeChallenge({
 *   detect: 'http_method == "GET" && "crc_token" in query_params',
 *   challenge_tokens: [
 *     { name: 'crc', algorithm: 'HMAC-SHA256', payload: 'query_params["crc_token"]', encoding: 'base64', prefix: 'sha256=' },
 *   ],
 *   body: { response_token: '{{ challenge_token["crc"] }}' },
 * })
 */
export function declarativeChallenge(rule: DeclarativeChallengeRule): DeclarativeChallengeStrategy {
  return new DeclarativeChallengeStrategy(rule);
}

// ---------------------------------------------------------------------------------------------
// Compilation (start-up)

function configError(endpoint: string, field: string, problem: string): WebhookConfigurationError {
  return new WebhookConfigurationError(`Webhook endpoint "${endpoint}": ${field}: ${problem}.`);
}

function fieldName(base: string, key: string): string {
  return IDENTIFIER.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compileRule(rule: DeclarativeChallengeRule, endpoint: string): CompiledRule {
  if (!isPlainObject(rule)) throw configError(endpoint, 'challenge', 'the rule must be an object');
  const known = new Set([
    'detect',
    'status',
    'headers',
    'body',
    'challenge_tokens',
    'verify_token',
    'signed',
    'secretNames',
    'max_token_length',
    'token_pattern',
  ]);
  for (const key of Object.keys(rule)) {
    if (!known.has(key)) throw configError(endpoint, fieldName('challenge', key), 'unknown field');
  }
  if (typeof rule.detect !== 'string')
    throw configError(endpoint, 'challenge.detect', 'must be a CEL expression string');
  if (rule.signed !== undefined && typeof rule.signed !== 'boolean') {
    throw configError(endpoint, 'challenge.signed', 'must be true or false');
  }
  if (
    rule.secretNames !== undefined &&
    (!Array.isArray(rule.secretNames) || rule.secretNames.some((name) => typeof name !== 'string' || name === ''))
  ) {
    throw configError(endpoint, 'challenge.secretNames', 'must be a list of secret names');
  }
  const status = rule.status ?? 200;
  if (!Number.isInteger(status) || status < 200 || status > 299) {
    throw configError(endpoint, 'challenge.status', `must be an integer from 200 to 299 (got ${String(status)})`);
  }
  if (rule.token_pattern !== undefined && typeof rule.token_pattern !== 'string') {
    throw configError(endpoint, 'challenge.token_pattern', 'must be a regular-expression source string');
  }
  let safety: ResolvedTokenSafety;
  try {
    safety = resolveTokenSafety({ maxLength: rule.max_token_length, pattern: rule.token_pattern }, 'token safety');
  } catch (error) {
    const field = /maxLength/.test((error as Error).message) ? 'challenge.max_token_length' : 'challenge.token_pattern';
    throw configError(endpoint, field, (error as Error).message.replace(/^token safety: /, '').replace(/\.$/, ''));
  }

  const site = (field: string, text: string, offset = 0): ExpressionSite => ({ endpoint, field, text, offset });
  const detect = compileExpression(rule.detect, site('challenge.detect', rule.detect), undefined, 'bool');

  const tokens = compileTokens(rule.challenge_tokens, endpoint, safety);
  const tokenNames = new Set(tokens.map((token) => token.name));
  const verify = compileVerify(rule.verify_token, endpoint);

  const headers: Array<readonly [string, Template]> = [];
  if (rule.headers !== undefined) {
    if (!isPlainObject(rule.headers))
      throw configError(endpoint, 'challenge.headers', 'must be an object of templates');
    for (const [name, value] of Object.entries(rule.headers)) {
      const field = `challenge.headers[${JSON.stringify(name)}]`;
      if (!HEADER_NAME.test(name)) throw configError(endpoint, field, 'not a valid header name');
      if (typeof value !== 'string') throw configError(endpoint, field, 'must be a template string');
      const template = compileTemplate(value, site(field, value), tokenNames);
      const literal = template.find((piece) => typeof piece === 'string' && UNPRINTABLE.test(piece));
      if (literal !== undefined) throw configError(endpoint, field, 'holds a character a header value cannot carry');
      headers.push([name, template]);
    }
  }

  let body: CompiledRule['body'];
  if (typeof rule.body === 'string') {
    body = { kind: 'text', template: compileTemplate(rule.body, site('challenge.body', rule.body), tokenNames) };
  } else if (isPlainObject(rule.body)) {
    body = { kind: 'json', template: compileBody(rule.body, 'challenge.body', endpoint, tokenNames) };
  } else if (rule.body !== undefined) {
    throw configError(endpoint, 'challenge.body', 'must be a template string or a JSON object');
  }

  const respondExpressions: CompiledExpression[] = [
    ...tokens.map((token) => token.payload),
    ...(verify ? [verify.value] : []),
    ...headers.flatMap(([, template]) => expressionsOf(template)),
    ...(body?.kind === 'text' ? expressionsOf(body.template) : body ? bodyExpressions(body.template) : []),
  ];
  return {
    detect,
    status,
    headers,
    body,
    tokens,
    verify,
    safety,
    detectReads: detect.variables,
    respondReads: new Set(respondExpressions.flatMap((expression) => [...expression.variables])),
  };
}

function compileSecret(
  secret: DeclarativeSecret | undefined,
  fallback: SecretRef,
  endpoint: string,
  field: string,
): SecretRef {
  if (secret === undefined) return fallback;
  if (typeof secret === 'string') {
    if (secret === '') throw configError(endpoint, field, 'must not be empty');
    return { kind: 'literal', value: secret };
  }
  if (isPlainObject(secret) && secret.from === 'endpoint') return { kind: 'endpoint' };
  if (isPlainObject(secret) && secret.from === 'named') {
    const name = (secret as { name?: unknown }).name;
    if (typeof name !== 'string' || name === '') throw configError(endpoint, `${field}.name`, 'must name a secret');
    return { kind: 'named', name };
  }
  throw configError(endpoint, field, `must be { from: 'endpoint' }, { from: 'named', name } or a literal string`);
}

function compileTokens(
  list: readonly DeclarativeChallengeToken[] | undefined,
  endpoint: string,
  safety: ResolvedTokenSafety,
): CompiledToken[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw configError(endpoint, 'challenge.challenge_tokens', 'must be a list');
  const seen = new Set<string>();
  return list.map((token: DeclarativeChallengeToken, index) => {
    const base = `challenge.challenge_tokens[${index}]`;
    if (!isPlainObject(token)) throw configError(endpoint, base, 'must be an object');
    if (typeof token.name !== 'string' || !TOKEN_NAME.test(token.name)) {
      throw configError(endpoint, `${base}.name`, 'must be letters, digits, "_" or "-", starting with a letter or "_"');
    }
    if (seen.has(token.name)) throw configError(endpoint, `${base}.name`, `"${token.name}" is defined twice`);
    seen.add(token.name);
    const algorithm = ALGORITHMS[token.algorithm as string];
    if (!algorithm) {
      throw configError(endpoint, `${base}.algorithm`, `must be one of ${Object.keys(ALGORITHMS).join(', ')}`);
    }
    if (token.encoding !== 'hex' && token.encoding !== 'base64') {
      throw configError(endpoint, `${base}.encoding`, `must be 'hex' or 'base64'`);
    }
    const prefix = token.prefix ?? '';
    if (typeof prefix !== 'string') throw configError(endpoint, `${base}.prefix`, 'must be a string');
    if (prefix !== '') {
      try {
        assertSafeToken(prefix, { ...safety, maxLength: Math.max(safety.maxLength, prefix.length) });
      } catch {
        throw configError(endpoint, `${base}.prefix`, 'holds characters an echoed value may not contain');
      }
    }
    if (typeof token.payload !== 'string') {
      throw configError(endpoint, `${base}.payload`, 'must be a CEL expression string');
    }
    const payload = compileExpression(
      token.payload,
      { endpoint, field: `${base}.payload`, text: token.payload, offset: 0 },
      undefined,
      'string',
    );
    const secret = compileSecret(token.secret, { kind: 'endpoint' }, endpoint, `${base}.secret`);
    return { name: token.name, algorithm, secret, payload, encoding: token.encoding, prefix };
  });
}

function compileVerify(verify: DeclarativeChallengeRule['verify_token'], endpoint: string): CompiledRule['verify'] {
  if (verify === undefined) return undefined;
  const base = 'challenge.verify_token';
  if (!isPlainObject(verify)) throw configError(endpoint, base, 'must be an object');
  if (typeof verify.value !== 'string') throw configError(endpoint, `${base}.value`, 'must be a CEL expression string');
  const value = compileExpression(
    verify.value,
    { endpoint, field: `${base}.value`, text: verify.value, offset: 0 },
    undefined,
    'string',
  );
  const secret = compileSecret(
    verify.secret,
    { kind: 'named', name: DEFAULT_VERIFY_TOKEN_SECRET },
    endpoint,
    `${base}.secret`,
  );
  return { value, secret };
}

function compileTemplate(text: string, site: ExpressionSite, tokens: ReadonlySet<string>): Template {
  let pieces;
  try {
    pieces = splitTemplate(text);
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
    throw siteError(site, error.offset, error.message);
  }
  return pieces.map((piece) =>
    'text' in piece ? piece.text : compileExpression(piece.source, { ...site, offset: piece.offset }, tokens, 'any'),
  );
}

function compileBody(
  value: DeclarativeJsonValue,
  field: string,
  endpoint: string,
  tokens: ReadonlySet<string>,
): BodyTemplate {
  if (typeof value === 'string') {
    return { kind: 'template', template: compileTemplate(value, { endpoint, field, text: value, offset: 0 }, tokens) };
  }
  if (value === null || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
    return { kind: 'constant', value };
  }
  if (Array.isArray(value)) {
    return {
      kind: 'array',
      items: value.map((item, index) => compileBody(item, `${field}[${index}]`, endpoint, tokens)),
    };
  }
  if (isPlainObject(value)) {
    return {
      kind: 'object',
      entries: Object.entries(value).map(([key, item]) => [
        key,
        compileBody(item, fieldName(field, key), endpoint, tokens),
      ]),
    };
  }
  throw configError(endpoint, field, 'must be a JSON value (string, number, boolean, null, list or object)');
}

function expressionsOf(template: Template): CompiledExpression[] {
  return template.filter((piece): piece is CompiledExpression => typeof piece !== 'string');
}

function bodyExpressions(template: BodyTemplate): CompiledExpression[] {
  switch (template.kind) {
    case 'template':
      return expressionsOf(template.template);
    case 'constant':
      return [];
    case 'array':
      return template.items.flatMap(bodyExpressions);
    case 'object':
      return template.entries.flatMap(([, item]) => bodyExpressions(item));
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluation (each request)

/** The CEL variables of a request; each is built only when an expression reads it (deliveries pass here too). */
function requestVariables(request: WebhookRequest, reads: ReadonlySet<string>): Record<string, unknown> {
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

function secretVersions(ref: SecretRef, context: ChallengeContext): readonly WebhookSecret[] {
  if (ref.kind === 'literal') return [{ version: 0, value: ref.value }];
  return (ref.kind === 'endpoint' ? context.secrets : context.namedSecrets[ref.name]) ?? [];
}

function computeToken(token: CompiledToken, variables: Record<string, unknown>, context: ChallengeContext): string {
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

function render(template: Template, variables: Record<string, unknown>, safety: ResolvedTokenSafety): string {
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

function renderJson(template: BodyTemplate, variables: Record<string, unknown>, safety: ResolvedTokenSafety): unknown {
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
