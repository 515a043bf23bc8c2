// Catalogue entries of the providers on the JWT/JWS and plain-digest engines (group engines-a),
// in the README's order; their presets are re-exported in ./engines-a.ts.
import { cloudinaryProvider, cloudinarySha256Provider } from '../cloudinary';
import { contentfulProvider } from '../contentful';
import { hubspotProvider, hubspotV1Provider, hubspotV2Provider } from '../hubspot';
import { midtransProvider } from '../midtrans';
import { mondayProvider } from '../monday';
import { netlifyProvider } from '../netlify';
import type { WebhookProvider } from '../provider';
import { sanityProvider } from '../sanity';
import { vonageProvider } from '../vonage';
import { wixProvider } from '../wix';

export const ENGINES_A_PROVIDERS: readonly WebhookProvider[] = [
  netlifyProvider,
  vonageProvider,
  mondayProvider,
  wixProvider,
  hubspotProvider,
  hubspotV2Provider,
  hubspotV1Provider,
  contentfulProvider,
  sanityProvider,
  cloudinaryProvider,
  cloudinarySha256Provider,
  midtransProvider,
];
