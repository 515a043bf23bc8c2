// Per-request metrics kept as plain numbers and handed to prom-client when it collects. prom-client's
// own `inc(labels)` / `observe(labels, v)` validate and hash the labels and build closures on every
// call: ~1.2 µs for one delivery's increment and observation, against ~0.03 µs here (bench/metrics.bench.ts).
// The figures scraped are the same: counts, sums and buckets are exact, only added at collection.
import type * as PromClient from 'prom-client';

/** One series of a counter: increments not yet given to prom-client. */
export interface CounterTally {
  pending: number;
}

/** One series of a histogram: observations not yet given to prom-client. */
export class HistogramTally {
  count = 0;
  sum = 0;
  /** Per upper bound (prom-client's `value <= bound`), then the +Inf overflow. */
  readonly buckets: Float64Array;
  /** The sum of each bucket's values: see {@link replay}. */
  readonly sums: Float64Array;

  constructor(private readonly bounds: readonly number[]) {
    this.buckets = new Float64Array(bounds.length + 1);
    this.sums = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    this.buckets[i]++;
    this.sums[i] += value;
    this.sum += value;
    this.count++;
  }

  /**
   * Through prom-client's public observe() alone, for a prom-client whose series are not laid out as
   * version 15's: each bucket's count of its values' mean (a mean of values within a bucket stays in
   * it), so buckets, count and sum come out the same. One call per observation: slower, still right.
   */
  replay(observe: (value: number) => void): void {
    this.buckets.forEach((n, i) => {
      for (let k = 0; k < n; k++) observe(this.sums[i] / n);
    });
  }

  clear(): void {
    this.buckets.fill(0);
    this.sums.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

/** A histogram series as prom-client 15 keeps it (`createBaseValues`). */
interface PromHistogramEntry {
  labels: object;
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

/**
 * The series of one metric, shared by every app registering into the same registry (the metric
 * object is shared, so are its tallies). A series' key is its label values joined with NUL,
 * split back into labels only when the series is first seen.
 */
export class Tallies<T> {
  private readonly series = new Map<string, { labels: Record<string, string>; tally: T }>();

  constructor(
    private readonly labelNames: readonly string[],
    private readonly create: () => T,
  ) {}

  of(key: string): T {
    let found = this.series.get(key);
    if (!found) {
      const values = key.split('\0');
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, i) => (labels[name] = values[i] ?? ''));
      this.series.set(key, (found = { labels, tally: this.create() }));
    }
    return found.tally;
  }

  all(): IterableIterator<{ labels: Record<string, string>; tally: T }> {
    return this.series.values();
  }
}

const registered = new WeakMap<object, Tallies<CounterTally> | Tallies<HistogramTally>>();

/** The tallies of a counter made by `talliedCounter()` (from this app or another sharing the registry). */
export function counterTallies(metric: PromClient.Counter<string>): Tallies<CounterTally> | undefined {
  return registered.get(metric) as Tallies<CounterTally> | undefined;
}

/** The tallies of a histogram made by `talliedHistogram()`. */
export function histogramTallies(metric: PromClient.Histogram<string>): Tallies<HistogramTally> | undefined {
  return registered.get(metric) as Tallies<HistogramTally> | undefined;
}

/** A prom-client counter whose increments are tallied first and added when it is collected. */
export function talliedCounter<L extends string>(
  prom: typeof PromClient,
  config: PromClient.CounterConfiguration<L> & { labelNames: readonly L[] },
): PromClient.Counter<L> {
  const tallies = new Tallies<CounterTally>(config.labelNames, () => ({ pending: 0 }));
  const counter = new prom.Counter<L>({
    ...config,
    collect() {
      for (const { labels, tally } of tallies.all()) {
        if (tally.pending === 0) continue;
        counter.inc(labels as PromClient.LabelValues<L>, tally.pending);
        tally.pending = 0;
      }
    },
  });
  registered.set(counter, tallies);
  return counter;
}

/** A prom-client histogram whose observations are tallied first and added when it is collected. */
export function talliedHistogram<L extends string>(
  prom: typeof PromClient,
  config: PromClient.HistogramConfiguration<L> & { labelNames: readonly L[]; buckets: number[] },
): PromClient.Histogram<L> {
  const bounds = config.buckets;
  const tallies = new Tallies<HistogramTally>(config.labelNames, () => new HistogramTally(bounds));
  const histogram = new prom.Histogram<L>({
    ...config,
    collect() {
      for (const { labels, tally } of tallies.all()) {
        if (tally.count === 0) continue;
        const entry = histogramEntry(histogram, labels);
        if (entry) {
          bounds.forEach((bound, i) => (entry.bucketValues[bound] += tally.buckets[i]));
          entry.sum += tally.sum;
          entry.count += tally.count;
        } else {
          tally.replay((value) => histogram.observe(labels as PromClient.LabelValues<L>, value));
        }
        tally.clear();
      }
    },
  });
  registered.set(histogram, tallies);
  return histogram;
}

const entries = new WeakMap<object, { map: object; hash: string; entry: PromHistogramEntry }>();

/**
 * prom-client's series for these labels, made through its public `zero()` when missing (also after a
 * `reset()`), found by the labels object it keeps. prom-client 15 has no public way to add counted
 * observations; the layout is checked by src/nest/metric-tallies.spec.ts against its own observe().
 */
function histogramEntry(
  histogram: PromClient.Histogram<string>,
  labels: Record<string, string>,
): PromHistogramEntry | undefined {
  const store = histogram as unknown as { hashMap?: Record<string, PromHistogramEntry> };
  const map = () => (store.hashMap && typeof store.hashMap === 'object' ? store.hashMap : undefined);
  const cached = entries.get(labels);
  if (cached && cached.map === map() && map()?.[cached.hash] === cached.entry) return cached.entry;
  const find = () => {
    const current = map();
    return current && Object.keys(current).find((h) => current[h]?.labels === labels);
  };
  let hash = find();
  if (hash === undefined && map()) {
    histogram.zero(labels);
    hash = find();
  }
  const current = map();
  const entry = hash === undefined ? undefined : current?.[hash];
  if (!current || hash === undefined || !entry) return undefined;
  if (typeof entry.sum !== 'number' || typeof entry.count !== 'number' || typeof entry.bucketValues !== 'object') {
    return undefined;
  }
  entries.set(labels, { map: current, hash, entry });
  return entry;
}
