// Catalogue entries of the providers whose keys are fetched from the provider (issue 16, engines b),
// in the README's order; their presets are re-exported in ./engines-b.ts.
import { circleProvider } from '../circle';
import { falAiProvider } from '../fal-ai';
import { fireblocksLegacyProvider } from '../fireblocks-legacy';
import { fireblocksProvider } from '../fireblocks';
import { kickProvider } from '../kick';
import { paypalProvider } from '../paypal';
import { plaidProvider } from '../plaid';
import { travisCiProvider } from '../travis-ci';
import type { WebhookProvider } from '../provider';

export const ENGINES_B_PROVIDERS: readonly WebhookProvider[] = [
  circleProvider,
  falAiProvider,
  fireblocksProvider,
  fireblocksLegacyProvider,
  kickProvider,
  paypalProvider,
  plaidProvider,
  travisCiProvider,
];
