import type { ChallengeContext, ChallengeResponse, ChallengeStrategy } from '../../challenge-strategy';
import { WebhookConfigurationError } from '../../errors';
import type { WebhookRequest } from '../../request';
import { assertMatchesSecret } from '../challenge-request';
import { DEFAULT_VERIFY_TOKEN_SECRET } from '../token-echo.strategy';
import { TOKEN_VARIABLE } from './cel-expression';
import { compileRule, isPlainObject, type CompiledRule } from './compile';
import type { DeclarativeChallengeRule } from './declarative-rule.interface';
import { computeToken, render, renderJson, requestVariables, secretVersions } from './render';

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
  /**
   * The named secrets its challenge tokens are keyed with: its answers are HMACs under them, so
   * none may be a secret that an endpoint accepting such answers signs with.
   */
  readonly computesWithNamedSecrets: readonly string[];
  private compiled: CompiledRule | undefined;
  private compileError: WebhookConfigurationError | undefined;

  constructor(readonly rule: DeclarativeChallengeRule) {
    this.signed = rule?.signed === true;
    const names = new Set<string>(Array.isArray(rule?.secretNames) ? rule.secretNames : []);
    const tokenRefs = Array.isArray(rule?.challenge_tokens) ? rule.challenge_tokens.map((token) => token?.secret) : [];
    const verifyRef = rule?.verify_token
      ? (rule.verify_token.secret ?? { from: 'named', name: DEFAULT_VERIFY_TOKEN_SECRET })
      : undefined;
    const named = (ref: unknown): string | undefined =>
      isPlainObject(ref) && ref.from === 'named' && typeof ref.name === 'string' ? ref.name : undefined;
    this.computesWithNamedSecrets = [...new Set(tokenRefs.map(named).filter((name) => name !== undefined))];
    for (const name of [...this.computesWithNamedSecrets, named(verifyRef)]) if (name !== undefined) names.add(name);
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
