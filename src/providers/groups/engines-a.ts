// Presets of the providers on the JWT/JWS and plain-digest engines (and Contentful, HubSpot v3,
// Sanity), re-exported for the package root: one line per provider file.
export { cloudinary } from '../cloudinary';
export { contentful } from '../contentful';
export { hubspot, hubspotV1, hubspotV2 } from '../hubspot';
export { midtrans } from '../midtrans';
export { monday, mondayChallenge } from '../monday';
export { netlify } from '../netlify';
export { sanity } from '../sanity';
export { vonage } from '../vonage';
export { wix } from '../wix';
