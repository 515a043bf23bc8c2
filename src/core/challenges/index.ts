// Challenge strategies: the four kinds, their composite, the declarative rules and the helpers they share.
export { TokenEchoStrategy, DEFAULT_VERIFY_TOKEN_SECRET, type TokenEchoOptions } from './token-echo.strategy';
export { HeaderCodeStrategy, type HeaderCodeOptions } from './header-code.strategy';
export { StatusOnlyStrategy, type StatusOnlyOptions } from './status-only.strategy';
export { ComputedHmacStrategy, type ComputedHmacOptions, type ChallengeHmacAlgorithm } from './computed-hmac.strategy';
export { AnyOfChallengeStrategy, anyOf } from './any-of.strategy';
export { COMPUTED_TOKEN_PATTERN } from './computed-token';
export {
  assertSafeToken,
  isSafeToken,
  DEFAULT_MAX_TOKEN_LENGTH,
  DEFAULT_TOKEN_PATTERN,
  PRINTABLE_TOKEN_PATTERN,
  MAX_TOKEN_LENGTH_LIMIT,
  type TokenSafetyOptions,
} from './token-safety';
export {
  readBody,
  readJsonBody,
  readFormBody,
  readField,
  matchesRequest,
  assertMatchesSecret,
  type RequestField,
  type RequestMatch,
  type ChallengeMatcher,
} from './challenge-request';
export { DeclarativeChallengeStrategy, declarativeChallenge } from './declarative/declarative-challenge.strategy';
export type {
  DeclarativeChallengeRule,
  DeclarativeChallengeToken,
  DeclarativeVerifyToken,
  DeclarativeSecret,
  DeclarativeJsonObject,
  DeclarativeJsonValue,
} from './declarative/declarative-rule.interface';
