import { WebhookConfigurationError } from '../../errors';
import { DEFAULT_VERIFY_TOKEN_SECRET } from '../token-echo.strategy';
import { assertSafeToken, gotValue, resolveTokenSafety, type ResolvedTokenSafety } from '../token-safety';
import { compileExpression, siteError, type CompiledExpression, type ExpressionSite } from './cel-expression';
import type {
  DeclarativeChallengeRule,
  DeclarativeChallengeToken,
  DeclarativeJsonValue,
  DeclarativeSecret,
} from './declarative-rule.interface';
import { splitTemplate, TemplateSyntaxError } from './template';

// Compilation (start-up): a declarative rule checked field by field and turned into expressions and
// templates the strategy evaluates on each request (./render).

export type SecretRef =
  | { readonly kind: 'endpoint' }
  | { readonly kind: 'named'; readonly name: string }
  | { readonly kind: 'literal'; readonly value: string };

/** A template: literal text and compiled placeholders, rendered to one string. */
export type Template = ReadonlyArray<string | CompiledExpression>;

/** A body template: the shape of the JSON body with templates at its string leaves. */
export type BodyTemplate =
  | { readonly kind: 'template'; readonly template: Template }
  | { readonly kind: 'constant'; readonly value: unknown }
  | { readonly kind: 'array'; readonly items: readonly BodyTemplate[] }
  | { readonly kind: 'object'; readonly entries: ReadonlyArray<readonly [string, BodyTemplate]> };

export interface CompiledToken {
  readonly name: string;
  readonly algorithm: 'sha1' | 'sha256' | 'sha512';
  readonly secret: SecretRef;
  readonly payload: CompiledExpression;
  readonly encoding: 'hex' | 'base64';
  readonly prefix: string;
}

export interface CompiledRule {
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

function configError(endpoint: string, field: string, problem: string): WebhookConfigurationError {
  return new WebhookConfigurationError(`Webhook endpoint "${endpoint}": ${field}: ${problem}.`);
}

/** A field's name for a message: a key of other characters than a name's is not echoed (a rule may come from an API caller). */
function fieldName(base: string, key: string): string {
  if (IDENTIFIER.test(key)) return `${base}.${key}`;
  return /^[A-Za-z0-9_.-]{1,64}$/.test(key)
    ? `${base}[${JSON.stringify(key)}]`
    : `${base}[a key of ${key.length} characters that is no identifier]`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function compileRule(rule: DeclarativeChallengeRule, endpoint: string): CompiledRule {
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
    throw configError(endpoint, 'challenge.status', `must be an integer from 200 to 299 (got ${gotValue(status)})`);
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
