import { WebhookConfigurationError } from '../errors';
import {
  DEFAULT_TOKEN_SAFETY,
  resolveTokenSafety,
  type ResolvedTokenSafety,
  type TokenSafetyOptions,
} from './token-safety';

/**
 * Resolves token safety without throwing, so a strategy's constructor never throws and reports the
 * problem from `validate(endpoint)` instead. @internal
 */
export function safetyOrProblem(options: TokenSafetyOptions | undefined): [ResolvedTokenSafety, string | undefined] {
  try {
    return [resolveTokenSafety(options, 'tokenSafety'), undefined];
  } catch (error) {
    if (!(error instanceof WebhookConfigurationError)) throw error;
    return [DEFAULT_TOKEN_SAFETY, error.message.replace(/\.$/, '')];
  }
}

/** The first live secret version (the newest), or undefined. @internal */
export function newest<T>(values: readonly T[] | undefined): T | undefined {
  return values && values.length > 0 ? values[0] : undefined;
}
