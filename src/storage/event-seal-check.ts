/**
 * The outcome of a seal check (`EventLogReader.checkSeal`, a claimed job's `sealCheck`): `intact`,
 * or why not: no seal was made (no inbox work, or a store or schema without seals), its key is no
 * longer in the ring, the stored body is not whole, or the row no longer matches what was sealed.
 * @publicApi
 */
export type EventSealCheck = 'intact' | 'unsealed' | 'unknown_key' | 'truncated' | 'mismatch';
