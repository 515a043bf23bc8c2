// Catalogue entries of the providers added from shared/providers-payments.md (group b),
// in the README's order; their presets are re-exported in ./payments-b.ts.
import { alchemyProvider } from '../alchemy';
import { calendlyProvider } from '../calendly';
import { cashfreeProvider } from '../cashfree';
import { chargebeeProvider } from '../chargebee';
import { checkoutComProvider } from '../checkout-com';
import { docusignProvider } from '../docusign';
import { dwollaProvider } from '../dwolla';
import { flutterwaveProvider, flutterwaveVerifHashProvider } from '../flutterwave';
import { lemonSqueezyProvider } from '../lemon-squeezy';
import { mollieProvider } from '../mollie';
import { paystackProvider } from '../paystack';
import { personaProvider } from '../persona';
import type { WebhookProvider } from '../provider';
import { squarespaceProvider } from '../squarespace';
import { wooCommerceProvider } from '../woocommerce';
import { xenditProvider } from '../xendit';

export const PAYMENTS_B_PROVIDERS: readonly WebhookProvider[] = [
  lemonSqueezyProvider,
  checkoutComProvider,
  mollieProvider,
  paystackProvider,
  flutterwaveProvider,
  flutterwaveVerifHashProvider,
  cashfreeProvider,
  dwollaProvider,
  alchemyProvider,
  wooCommerceProvider,
  squarespaceProvider,
  personaProvider,
  calendlyProvider,
  docusignProvider,
  xenditProvider,
  chargebeeProvider,
] as readonly WebhookProvider[];
