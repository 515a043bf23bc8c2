// Catalogue entries of the providers added from shared/providers-payments.md (group a),
// in the README's order; their presets are re-exported in ./payments-a.ts.
import type { WebhookProvider } from '../provider';

export const PAYMENTS_A_PROVIDERS: readonly WebhookProvider[] = [];
