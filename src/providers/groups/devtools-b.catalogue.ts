// Catalogue entries of the providers added from shared/providers-devtools.md (group b),
// in the README's order; their presets are re-exported in ./devtools-b.ts.
import type { WebhookProvider } from '../provider';

export const DEVTOOLS_B_PROVIDERS: readonly WebhookProvider[] = [];
