// Presets of the providers whose keys are fetched from the provider (issue 16, engines b),
// re-exported for the package root: one line per provider file.
export { circle } from '../circle';
export { falAi } from '../fal-ai';
export { fireblocks } from '../fireblocks';
export { fireblocksLegacy } from '../fireblocks-legacy';
export { kick } from '../kick';
export { paypal } from '../paypal';
export { plaid } from '../plaid';
export { travisCi } from '../travis-ci';
