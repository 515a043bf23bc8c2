// Presets of the providers added from shared/providers-payments.md (group a), re-exported for
// the package root: one line per provider file, e.g. `export { paddle } from '../paddle';`.
export { adyen } from '../adyen';
export { adyenPlatform } from '../adyen-platform';
export { authorizeNet } from '../authorize-net';
export { coinbaseCommerce } from '../coinbase-commerce';
export { coinify } from '../coinify';
export { easypost } from '../easypost';
export { gocardless } from '../gocardless';
export { increase, increaseLegacy } from '../increase';
export { lithic } from '../lithic';
export { modernTreasury } from '../modern-treasury';
export { polar } from '../polar';
export { razorpay } from '../razorpay';
export { recurly } from '../recurly';
export { revolut } from '../revolut';
export { wise } from '../wise';
