// The tallied metrics must scrape exactly as prom-client's own would for the same traffic: the
// reference is prom-client observing the same values itself, in a registry of its own.
import * as prom from 'prom-client';
import { counterTallies, HistogramTally, histogramTallies, talliedCounter, talliedHistogram } from './metric-tallies';
import { WebhookMetrics } from './webhook-metrics';

const BUCKETS = [0.001, 0.01, 0.1, 1];
/** Below, on, between and above the bounds: prom-client counts a value equal to a bound in that bucket. */
const VALUES = [0, 0.0005, 0.001, 0.002, 0.01, 0.05, 0.1, 0.5, 1, 7, 1e-9, 0.1000001];

function pair() {
  const ours = new prom.Registry();
  const reference = new prom.Registry();
  const labelNames = ['endpoint', 'outcome'] as const;
  return {
    ours,
    reference,
    counter: talliedCounter(prom, { name: 'c_total', help: 'h', labelNames, registers: [ours] }),
    histogram: talliedHistogram(prom, {
      name: 'h_seconds',
      help: 'h',
      labelNames,
      buckets: BUCKETS,
      registers: [ours],
    }),
    refCounter: new prom.Counter({ name: 'c_total', help: 'h', labelNames, registers: [reference] }),
    refHistogram: new prom.Histogram({
      name: 'h_seconds',
      help: 'h',
      labelNames,
      buckets: BUCKETS,
      registers: [reference],
    }),
  };
}

describe('tallied metrics', () => {
  it('scrape the same text as prom-client observing the same values, over several scrapes', async () => {
    const p = pair();
    const counts = counterTallies(p.counter)!;
    const observations = histogramTallies(p.histogram)!;
    for (const [round, values] of [VALUES, VALUES.slice(3), [0.3]].entries()) {
      for (const [i, value] of values.entries()) {
        const outcome = i % 3 === 0 ? 'rejected' : 'accepted';
        counts.of(`billing\0${outcome}`).pending++;
        p.refCounter.labels('billing', outcome).inc();
        observations.of(`billing\0${outcome}`).observe(value);
        p.refHistogram.labels('billing', outcome).observe(value);
      }
      if (round === 1) observations.of('orders\0accepted').observe(0.02);
      if (round === 1) p.refHistogram.labels('orders', 'accepted').observe(0.02);
      expect(await p.ours.metrics()).toBe(await p.reference.metrics());
    }
    expect(await p.ours.metrics()).toContain('h_seconds_bucket{le="0.001",endpoint="billing",outcome="accepted"}');
  });

  it('start again from zero after the registry is reset, and count what comes after', async () => {
    const p = pair();
    histogramTallies(p.histogram)!.of('a\0accepted').observe(0.5);
    counterTallies(p.counter)!.of('a\0accepted').pending += 2;
    await p.ours.metrics();
    p.ours.resetMetrics();
    p.reference.resetMetrics();
    expect(await p.ours.metrics()).toBe(await p.reference.metrics());
    histogramTallies(p.histogram)!.of('a\0accepted').observe(0.05);
    p.refHistogram.labels('a', 'accepted').observe(0.05);
    expect(await p.ours.metrics()).toBe(await p.reference.metrics());
  });

  it('are shared by every holder of the metric (two apps on one registry count into one series)', async () => {
    const p = pair();
    const again = p.ours.getSingleMetric('c_total') as prom.Counter<string>;
    counterTallies(p.counter)!.of('a\0accepted').pending++;
    counterTallies(again)!.of('a\0accepted').pending++;
    expect((await p.counter.get()).values).toEqual([{ labels: { endpoint: 'a', outcome: 'accepted' }, value: 2 }]);
  });

  it('replay through the public observe() alone (a prom-client laid out otherwise) gives the same buckets, count and sum', async () => {
    const p = pair();
    const tally = new HistogramTally(BUCKETS);
    for (const value of VALUES) {
      tally.observe(value);
      p.refHistogram.labels('a', 'accepted').observe(value);
    }
    const replayed = new prom.Histogram({
      name: 'h_seconds',
      help: 'h',
      labelNames: ['endpoint', 'outcome'],
      buckets: BUCKETS,
      registers: [],
    });
    tally.replay((value) => replayed.observe({ endpoint: 'a', outcome: 'accepted' }, value));
    const values = async (h: prom.Histogram<string>) => (await h.get()).values;
    const [ours, reference] = [await values(replayed), await values(p.refHistogram)];
    expect(ours.filter((v) => v.metricName !== 'h_seconds_sum')).toEqual(
      reference.filter((v) => v.metricName !== 'h_seconds_sum'),
    );
    const sum = (vs: typeof ours) => vs.find((v) => v.metricName === 'h_seconds_sum')!.value;
    expect(sum(ours)).toBeCloseTo(sum(reference), 12);
  });

  it('are absent for a metric made by prom-client directly, and the metrics refuse such a registry', () => {
    expect(counterTallies(new prom.Counter({ name: 'x', help: 'h', registers: [] }))).toBeUndefined();
    const registry = new prom.Registry();
    new prom.Counter({ name: 'hookwarden_deliveries_total', help: 'theirs', registers: [registry] });
    expect(() => new WebhookMetrics({ registry })).toThrow(/hookwarden_deliveries_total that Hookwarden did not make/);
  });
});
