/** The prefix of a configuration run from the tree before a change (`--before=DIR`). */
export const BEFORE_PREFIX = 'before:';
