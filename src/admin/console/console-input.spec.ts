// The console's filters, from the attacker's side: a value no store can hold, or a date that does
// not exist, is no filter (the page lists unfiltered), never an error the database or Date throws.
import { localTime, text } from './console-input';

describe('console filters', () => {
  it('takes a time as a datetime-local input sends it, and no time that does not exist', () => {
    expect(localTime('2026-02-28T23:59')).toBe('2026-02-28T23:59');
    expect(localTime('2026-02-28T23:59:30')).toBe('2026-02-28T23:59:30');
    for (const impossible of [
      '2026-13-01T00:00',
      '2026-02-30T10:00',
      '2026-02-30T99:99',
      '2026-01-01T24:00',
      '2026-01-01T10:60:00',
    ]) {
      expect(localTime(impossible)).toBeUndefined();
    }
    expect(localTime('2026-01-01')).toBeUndefined();
    expect(localTime(['2026-01-01T00:00'])).toBeUndefined();
  });

  it('takes no text holding a NUL, nor empty or too long text', () => {
    expect(text('billing', 64)).toBe('billing');
    expect(text('bill\u0000ing', 64)).toBeUndefined();
    expect(text('\u0000', 64)).toBeUndefined();
    expect(text('', 64)).toBeUndefined();
    expect(text('x'.repeat(65), 64)).toBeUndefined();
  });
});
