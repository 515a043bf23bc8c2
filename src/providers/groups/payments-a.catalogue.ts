// Catalogue entries of the providers added from shared/providers-payments.md (group a),
// in the README's order; their presets are re-exported in ./payments-a.ts.
import { adyenProvider } from '../adyen';
import { adyenPlatformProvider } from '../adyen-platform';
import { authorizeNetProvider } from '../authorize-net';
import { coinbaseCommerceProvider } from '../coinbase-commerce';
import { coinifyProvider } from '../coinify';
import { easypostProvider } from '../easypost';
import { gocardlessProvider } from '../gocardless';
import { increaseLegacyProvider, increaseProvider } from '../increase';
import { lithicProvider } from '../lithic';
import { modernTreasuryProvider } from '../modern-treasury';
import { polarProvider } from '../polar';
import type { WebhookProvider } from '../provider';
import { razorpayProvider } from '../razorpay';
import { recurlyProvider } from '../recurly';
import { revolutProvider } from '../revolut';
import { wiseProvider } from '../wise';

export const PAYMENTS_A_PROVIDERS: readonly WebhookProvider[] = [
  polarProvider,
  adyenProvider,
  adyenPlatformProvider,
  gocardlessProvider,
  razorpayProvider,
  coinbaseCommerceProvider,
  easypostProvider,
  modernTreasuryProvider,
  increaseProvider,
  increaseLegacyProvider,
  revolutProvider,
  wiseProvider,
  authorizeNetProvider,
  coinifyProvider,
  recurlyProvider,
  lithicProvider,
];
