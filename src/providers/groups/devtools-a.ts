// Presets of the providers added from shared/providers-devtools.md (group a), re-exported for
// the package root: one line per provider file, e.g. `export { paddle } from '../paddle';`.
export {};
