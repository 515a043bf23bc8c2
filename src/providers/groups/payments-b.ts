// Presets of the providers added from shared/providers-payments.md (group b), re-exported for
// the package root: one line per provider file, e.g. `export { paddle } from '../paddle';`.
export { lemonSqueezy } from '../lemon-squeezy';
export { checkoutCom } from '../checkout-com';
export { mollie } from '../mollie';
export { paystack } from '../paystack';
export { flutterwave, flutterwaveVerifHash } from '../flutterwave';
export { cashfree } from '../cashfree';
export { dwolla } from '../dwolla';
export { alchemy } from '../alchemy';
export { wooCommerce, wooCommerceChallenge } from '../woocommerce';
export { squarespace } from '../squarespace';
export { persona } from '../persona';
export { calendly } from '../calendly';
export { docusign } from '../docusign';
export { xendit } from '../xendit';
export { chargebee } from '../chargebee';
