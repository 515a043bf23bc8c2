import { ExpiringIds } from './expiring-ids';

describe('ExpiringIds', () => {
  const at = (second: number) => second * 1000;

  it('remembers an id until the end of its second, rounded up', () => {
    const ids = new ExpiringIds(10);
    ids.add('a', at(100) + 1, at(1));
    expect(ids.has('a', at(101))).toBe(true);
    expect(ids.has('a', at(101) + 1)).toBe(false);
    expect(ids.has('b', at(1))).toBe(false);
  });

  it('forgets expired ids first, then the oldest live ones when full, and counts the early ones', () => {
    const ids = new ExpiringIds(3);
    ids.add('old', at(5), at(1));
    ids.add('a', at(100), at(1));
    ids.add('b', at(100), at(1));
    // At second 10 "old" has expired: it goes, nothing live is forgotten.
    expect(ids.add('c', at(100), at(10))).toBe(0);
    expect([ids.has('old', -Infinity), ids.size]).toEqual([false, 3]);
    // Full of live ids: the oldest ("a") is forgotten early.
    expect(ids.add('d', at(100), at(10))).toBe(1);
    expect(['a', 'b', 'c', 'd'].map((id) => ids.has(id, at(10)))).toEqual([false, true, true, true]);
  });

  it('skips the queue entries of deleted and re-added ids', () => {
    const ids = new ExpiringIds(2);
    ids.add('a', at(100), at(1));
    ids.add('b', at(100), at(1));
    ids.delete('a');
    ids.add('a', at(200), at(1)); // now the newest
    // Full: the oldest live one is "b", not the stale first entry of "a".
    expect(ids.add('c', at(100), at(1))).toBe(1);
    expect(['a', 'b', 'c'].map((id) => ids.has(id, at(1)))).toEqual([true, false, true]);
  });

  it('stays bounded when ids are deleted and added again behind a live head', () => {
    const ids = new ExpiringIds(1000);
    ids.add('head', at(1_000_000), at(1));
    for (let i = 0; i < 50_000; i++) {
      ids.add('x', at(1_000_000), at(1));
      ids.delete('x');
    }
    const queue = (ids as unknown as { queueIds: string[]; head: number }).queueIds;
    expect(queue.length).toBeLessThanOrEqual(2 * ids.size + 1025);
    expect(ids.has('head', at(1))).toBe(true);
  });

  it('keeps the newest ids at its bound, forgetting in insertion order', () => {
    const ids = new ExpiringIds(100_000);
    let early = 0;
    for (let i = 0; i < 300_000; i++) early += ids.add(`msg_${i}`, at(1_000_000), at(1));
    expect([ids.size, early]).toEqual([100_000, 200_000]);
    expect(ids.has('msg_199999', at(1))).toBe(false);
    expect(ids.has('msg_200000', at(1))).toBe(true);
  });
});
