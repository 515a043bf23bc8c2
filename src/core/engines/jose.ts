import type * as Jose from 'jose';
import { WebhookConfigurationError } from '../errors';

let loaded: typeof Jose | undefined;

/**
 * jose, loaded on first use by the JWT-signed providers rather than with the package: it is an ES
 * module, which Node.js loads with require() from 20.19, but Jest's CommonJS mode (the default test
 * set-up of Nest 10 and 11 apps) cannot, and loading the package must not need it.
 * @internal
 */
export function jose(): typeof Jose {
  if (loaded) return loaded;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require('jose') as typeof Jose;
    return loaded;
  } catch (error) {
    throw new WebhookConfigurationError(
      'JWT-signed webhooks need jose, an ES module that Node.js loads with require() from version 20.19 on ' +
        `(under Jest, let it be transformed: see the README's "Testing your webhooks") (${(error as Error).message}).`,
    );
  }
}
