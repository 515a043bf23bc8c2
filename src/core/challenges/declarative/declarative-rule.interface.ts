/**
 * A challenge defined as data, so that a new provider needs no code. Plain JSON: it can come from
 * a configuration file. Expressions are CEL (https://cel.dev) over these variables:
 *
 * | variable | type | value |
 * |---|---|---|
 * | `http_method` | string | upper-case method |
 * | `headers` | map | header values by lower-case name (a repeated header joined with `", "`) |
 * | `query_params` | map | query parameters sent once, as strings |
 * | `raw_body` | string | the body as UTF-8 text |
 * | `parsed_body` | dyn | the JSON or form body (by content type), or `null` |
 * | `challenge_token` | map | the computed `challenge_tokens` by name (templates only) |
 *
 * Templates (`headers` values, a string `body` or the string leaves of a JSON `body`) hold
 * placeholders `{{ <CEL expression> }}`; each placeholder's value is bounded like any echoed
 * token. Write a literal `{{` as `{{ "{{" }}`.
 * @publicApi
 * @example
 * {
 *   detect: 'http_method == "POST" && parsed_body.type == "url_verification"',
 *   body: { challenge: '{{ parsed_body.challenge }}' },
 *   signed: true,
 * }
 */
export interface DeclarativeChallengeRule {
  /**
   * CEL; true when the request is this challenge. An expression that fails at run time (a missing
   * key, a body that is not JSON) means "not a challenge".
   */
  readonly detect: string;
  /** @default 200 */
  readonly status?: number;
  /** Response headers; each value is a template. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The response body: a template string (sent as `text/plain`) or a JSON object whose string leaves
   * are templates (sent as JSON; numbers, booleans and null are kept as they are). None: no body.
   */
  readonly body?: string | DeclarativeJsonObject;
  /** Values computed with an HMAC, available to templates as `challenge_token["<name>"]`. */
  readonly challenge_tokens?: readonly DeclarativeChallengeToken[];
  /**
   * A verify token the request must carry (Meta's `hub.verify_token`), compared in constant time
   * with every live version of a secret. Checked before anything is computed or echoed.
   */
  readonly verify_token?: DeclarativeVerifyToken;
  /**
   * Whether the provider signs the challenge: the endpoint's schemes verify it first.
   * @default false
   */
  readonly signed?: boolean;
  /**
   * Extra named secrets to load for the rule. Named secrets referenced by `challenge_tokens` and
   * `verify_token` are added on their own.
   */
  readonly secretNames?: readonly string[];
  /**
   * The longest value a placeholder may produce (1–8192).
   * @default 256
   */
  readonly max_token_length?: number;
  /**
   * A regular-expression source every placeholder value must match in full.
   * @default '[A-Za-z0-9._~+/=:-]+'
   */
  readonly token_pattern?: string;
}

/** A JSON value in a body template. @publicApi */
export type DeclarativeJsonValue =
  string | number | boolean | null | readonly DeclarativeJsonValue[] | DeclarativeJsonObject;

/** A JSON object in a body template. @publicApi */
export interface DeclarativeJsonObject {
  readonly [key: string]: DeclarativeJsonValue;
}

/**
 * Which secret a rule uses:
 * - `{ from: 'endpoint' }` — the endpoint's newest live signing secret (the default for tokens);
 * - `{ from: 'named', name }` — the newest live version of a named challenge secret, stored under
 *   `<endpoint>.<name>` and rotatable through the admin API;
 * - a plain string — the secret itself. It then lives in your configuration, not in the encrypted
 *   store, and cannot be rotated without a deploy: prefer the other two.
 * @publicApi
 */
export type DeclarativeSecret =
  string | { readonly from: 'endpoint' } | { readonly from: 'named'; readonly name: string };

/** A value computed for the answer: `prefix + encode(HMAC(secret, payload))`. @publicApi */
export interface DeclarativeChallengeToken {
  /** Letters, digits, `_` and `-`, starting with a letter or `_`; unique in the rule. */
  readonly name: string;
  readonly algorithm: 'HMAC-SHA1' | 'HMAC-SHA256' | 'HMAC-SHA512';
  /** @default { from: 'endpoint' } */
  readonly secret?: DeclarativeSecret;
  /** CEL giving the string (or bytes) to sign, for example `query_params["crc_token"]`. */
  readonly payload: string;
  readonly encoding: 'hex' | 'base64';
  readonly prefix?: string;
}

/** @publicApi */
export interface DeclarativeVerifyToken {
  /** CEL giving the presented token, for example `query_params["hub.verify_token"]`. */
  readonly value: string;
  /** @default { from: 'named', name: 'verify-token' } */
  readonly secret?: DeclarativeSecret;
}
