// Catalogue entries of the providers added from shared/providers-devtools.md (group a),
// in the README's order; their presets are re-exported in ./devtools-a.ts.
import type { WebhookProvider } from '../provider';

export const DEVTOOLS_A_PROVIDERS: readonly WebhookProvider[] = [];
