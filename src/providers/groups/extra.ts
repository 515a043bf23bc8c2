// Presets of the providers added by issue 16's follow-up (group extra), re-exported for the
// package root: one line per provider file.
export { braintree } from '../braintree';
