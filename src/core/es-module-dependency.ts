import { WebhookConfigurationError } from './errors';

/** Where such a load fails on a recent Node.js: Jest's CommonJS mode, unless told to transform the module. */
const JEST_HINT = `(under Jest, let it be transformed: see the README's "Testing your webhooks") `;

/**
 * Loads a dependency that is an ES module on first use, rather than with the package: Node.js
 * loads those with require() from 20.19, Jest's CommonJS mode (the default test set-up of Nest 10
 * and 11 apps) does not, and loading the package must not need them. A failure is a setup error
 * that says what needs the module (`neededFor`), what to do (`hint`) and why it did not load. `load`
 * is the call site's own literal `require('…')`, which bundlers follow.
 * @internal
 */
export function requireEsModule<T>(name: string, load: () => unknown, neededFor: string, hint = JEST_HINT): T {
  try {
    return load() as T;
  } catch (error) {
    throw new WebhookConfigurationError(
      `${neededFor} ${name}, an ES module that Node.js loads with require() from version 20.19 on ` +
        `${hint}(${(error as Error).message}).`,
    );
  }
}
