import type * as Jose from 'jose';
import { requireEsModule } from '../es-module-dependency';

let loaded: typeof Jose | Error | undefined;

/** jose, loaded on first use by the JWT-signed providers; a failure is kept, not retried per request. @internal */
export function jose(): typeof Jose {
  if (loaded === undefined) {
    try {
      loaded = requireEsModule<typeof Jose>(
        'jose',
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        () => require('jose'),
        'JWT-signed webhooks need',
      );
    } catch (error) {
      loaded = error as Error;
    }
  }
  if (loaded instanceof Error) throw loaded;
  return loaded;
}
