import type * as Jose from 'jose';
import { requireEsModule } from '../es-module-dependency';

let loaded: typeof Jose | undefined;

/** jose, loaded on first use by the JWT-signed providers. @internal */
export function jose(): typeof Jose {
  loaded ??= requireEsModule<typeof Jose>(
    'jose',
    'JWT-signed webhooks need',
    `(under Jest, let it be transformed: see the README's "Testing your webhooks") `,
  );
  return loaded;
}
