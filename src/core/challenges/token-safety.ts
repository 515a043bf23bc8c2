import { WebhookConfigurationError, WebhookErrorCode, WebhookVerificationError } from '../errors';

/**
 * How an echoed challenge token is bounded. Whatever the options, a token is refused when it is
 * empty, holds a control character (CR/LF included), a character outside printable ASCII, or
 * markup and quote characters (`<`, `>`, `"`, `'`, `` ` ``): the echo reflects attacker-chosen
 * text into a response body or header.
 * @publicApi
 */
export interface TokenSafetyOptions {
  /**
   * The longest token answered, in characters (1–8192).
   * @default 256
   */
  readonly maxLength?: number;
  /**
   * The characters a token may hold, as a pattern the whole token must match (anchored for you).
   * A string is read as a regular-expression source, for rules written in configuration files.
   * @default DEFAULT_TOKEN_PATTERN
   */
  readonly pattern?: RegExp | string;
}

/** @publicApi */
export const DEFAULT_MAX_TOKEN_LENGTH = 256;
/** The upper bound of `maxLength`: no provider sends a challenge anywhere near it. @publicApi */
export const MAX_TOKEN_LENGTH_LIMIT = 8192;

/**
 * The default character set: letters, digits and `._~+/=:-`, which covers base64, hex, UUIDs and the
 * providers' random tokens. @publicApi
 */
export const DEFAULT_TOKEN_PATTERN = /^[A-Za-z0-9._~+/=:-]+$/;

/**
 * Printable ASCII including the space (Microsoft Graph's `validationToken` reads
 * `Validation: Testing client application reachability …`); markup and quotes stay refused.
 * @publicApi
 */
export const PRINTABLE_TOKEN_PATTERN = /^[\x20-\x7E]+$/;

/** The floor every token must pass, whatever the configured pattern allows. */
const FORBIDDEN = /[^\x20-\x7E]|[<>"'`]/;

/** Token safety with defaults applied and the pattern compiled, anchored and stateless. @internal */
export interface ResolvedTokenSafety {
  readonly maxLength: number;
  readonly pattern: RegExp;
}

/** Options objects already resolved, so the per-request check never compiles a pattern again. */
const resolved = new WeakSet<object>();

/** @internal */
export const DEFAULT_TOKEN_SAFETY: ResolvedTokenSafety = {
  maxLength: DEFAULT_MAX_TOKEN_LENGTH,
  pattern: DEFAULT_TOKEN_PATTERN,
};
resolved.add(DEFAULT_TOKEN_SAFETY);

/**
 * Applies defaults and compiles the pattern. Throws a {@link WebhookConfigurationError} (naming
 * `where`) for a length outside 1–8192 or a pattern that does not compile.
 * @internal
 */
export function resolveTokenSafety(options: TokenSafetyOptions | undefined, where: string): ResolvedTokenSafety {
  if (options === undefined) return DEFAULT_TOKEN_SAFETY;
  const maxLength = options.maxLength ?? DEFAULT_MAX_TOKEN_LENGTH;
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > MAX_TOKEN_LENGTH_LIMIT) {
    throw new WebhookConfigurationError(
      `${where}: maxLength must be an integer from 1 to ${MAX_TOKEN_LENGTH_LIMIT} (got ${gotValue(maxLength)}).`,
    );
  }
  const given = options.pattern ?? DEFAULT_TOKEN_PATTERN;
  let pattern: RegExp;
  if (typeof given === 'string' || given instanceof RegExp) {
    const source = typeof given === 'string' ? given : given.source;
    // 'g' and 'y' make test() stateful; anchoring makes an unanchored pattern match the whole token.
    const flags = typeof given === 'string' ? '' : given.flags.replace(/[gy]/g, '');
    try {
      pattern = new RegExp(`^(?:${source})$`, flags);
    } catch (error) {
      throw new WebhookConfigurationError(`${where}: pattern does not compile (${(error as Error).message}).`);
    }
  } else {
    throw new WebhookConfigurationError(`${where}: pattern must be a RegExp or a string.`);
  }
  const safety = { maxLength, pattern };
  resolved.add(safety);
  return safety;
}

/**
 * Returns the value when it is a token that is safe to echo, or throws a
 * {@link WebhookVerificationError} with code `invalid_challenge` (400). The message never contains
 * the value: it is attacker-chosen. Invalid options throw a `WebhookConfigurationError`.
 * @param what How the message names the value ("challenge token", "X-Hook-Secret header", …).
 * @publicApi
 */
export function assertSafeToken(
  value: unknown,
  options: TokenSafetyOptions = DEFAULT_TOKEN_SAFETY,
  what = 'challenge token',
): string {
  const safety = resolved.has(options) ? (options as ResolvedTokenSafety) : resolveTokenSafety(options, 'token safety');
  if (typeof value !== 'string' || value.length === 0) {
    throw new WebhookVerificationError(WebhookErrorCode.InvalidChallenge, `The ${what} is missing.`);
  }
  if (value.length > safety.maxLength) {
    throw new WebhookVerificationError(
      WebhookErrorCode.InvalidChallenge,
      `The ${what} is longer than ${safety.maxLength} characters.`,
    );
  }
  if (FORBIDDEN.test(value) || !safety.pattern.test(value)) {
    throw new WebhookVerificationError(
      WebhookErrorCode.InvalidChallenge,
      `The ${what} contains characters that are not allowed.`,
    );
  }
  return value;
}

/**
 * Whether a value is a token {@link assertSafeToken} accepts with these options; never throws.
 * @publicApi
 */
export function isSafeToken(value: unknown, options?: TokenSafetyOptions): boolean {
  try {
    assertSafeToken(value, options);
    return true;
  } catch {
    return false;
  }
}

/** What a wrong value was, without echoing it (a rule may come from an API caller): a number as is, else its type. @internal */
export function gotValue(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value)
    ? String(value)
    : value === null || value === undefined
      ? 'nothing'
      : `a ${typeof value}`;
}
