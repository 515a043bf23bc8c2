// Everything the metrics add to a delivery, in-process: the two `performance.now()` calls around
// verification, one `verification_duration_seconds` observation and one `deliveries_total` increment
// (what WebhookVerifier does when the `metrics` extra is on), on a registry of its own.
// Resolves the few µs the HTTP pair cannot on a shared machine: the median of several rounds.
import { Registry } from 'prom-client';
import { WebhookMetrics } from '../src/nest/webhook-metrics';

export interface MetricsCallResult {
  /** CPU time per delivery's metric calls, median of the rounds, in ns. */
  nsPerDelivery: number;
  rounds: number[];
}

export function runMetricsCallBenchmark(rounds = 7, calls = 500_000): MetricsCallResult {
  const metrics = new WebhookMetrics({ registry: new Registry() });
  const once = () => {
    const started = performance.now();
    metrics.verified('bench', 'standard-webhooks', (performance.now() - started) / 1000);
    metrics.delivery('bench', 'standard-webhooks', 'accepted');
  };
  for (let i = 0; i < 100_000; i++) once(); // warm-up: optimised code, the series created
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const before = process.cpuUsage();
    for (let i = 0; i < calls; i++) once();
    const used = process.cpuUsage(before);
    perRound.push(((used.user + used.system) * 1000) / calls);
  }
  const sorted = [...perRound].sort((a, b) => a - b);
  return { nsPerDelivery: sorted[sorted.length >> 1], rounds: perRound };
}
