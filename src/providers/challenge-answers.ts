// Small builders for the `check` of a provider's `challengeRequest`: how the provider judges the
// answer to its URL verification. Used by `nestjs-hookwarden/testing` and `hookwarden challenge`.
import { randomBytes } from 'node:crypto';
import type { ChallengeRequest } from './provider';

type Answer = Parameters<ChallengeRequest['check']>[0];

/** A fresh random challenge value (24 hex digits). @internal */
export const freshChallenge = (): string => randomBytes(12).toString('hex');

/** Whether the status is a success (providers accept any 2xx unless they say otherwise). @internal */
export const isSuccess = (status: number): boolean => status >= 200 && status < 300;

/** A 2xx whose body is exactly `expected`. @internal */
export function answeredWithText(expected: string): ChallengeRequest['check'] {
  return (answer: Answer) =>
    isSuccess(answer.status) && answer.text === expected
      ? undefined
      : `expected 2xx with body ${JSON.stringify(expected)}`;
}

/** A 2xx whose JSON body holds each of `expected`'s fields with that value. @internal */
export function answeredWithJson(expected: Readonly<Record<string, unknown>>): ChallengeRequest['check'] {
  return (answer: Answer) => {
    let got: unknown;
    try {
      got = JSON.parse(answer.text);
    } catch {
      return `expected 2xx with JSON ${JSON.stringify(expected)}`;
    }
    const holds =
      typeof got === 'object' &&
      got !== null &&
      Object.entries(expected).every(([key, value]) => (got as Record<string, unknown>)[key] === value);
    return isSuccess(answer.status) && holds ? undefined : `expected 2xx with ${JSON.stringify(expected)}`;
  };
}
