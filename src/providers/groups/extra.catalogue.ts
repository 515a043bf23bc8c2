// Catalogue entries of the providers added by issue 16's follow-up (group extra), in the README's
// order; their presets are re-exported in ./extra.ts.
import { braintreeProvider } from '../braintree';
import type { WebhookProvider } from '../provider';

export const EXTRA_PROVIDERS: readonly WebhookProvider[] = [braintreeProvider];
