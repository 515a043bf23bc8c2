// Draws the throughput chart of bench/RESULTS.md: a Vega-Lite spec compiled and rendered to SVG by
// Vega itself, headless (no browser, no canvas).
import type { HttpResult } from './http.bench';

const LABELS: Record<string, string> = {
  bare: '(a) bare Nest route',
  'bare-guard': '(a′) + an empty guard',
  guard: '(b) + WebhookGuard, in-memory',
  'hookwarden-pg': '(c) + PostgreSQL log & secrets',
  'hookwarden-pg-inbox': '(e) (c) + 2 @OnWebhook, 2xx path',
  'naive-pg': '(d) standardwebhooks + TypeORM insert',
};

export async function throughputChartSvg(results: HttpResult[]): Promise<string> {
  const vega = await import('vega');
  // vega-lite's types need the bundler resolution; its one entry point used here is typed by hand.
  const vegaLite = (await import('vega-lite' as string)) as { compile(spec: unknown): { spec: object } };
  const values = results.map((r) => {
    const bare = results.find((b) => b.adapter === r.adapter && b.config === 'bare');
    const share = bare ? r.requestsPerSecond / bare.requestsPerSecond : NaN;
    return {
      adapter: r.adapter,
      configuration: LABELS[r.config] ?? r.config,
      rps: Math.round(r.requestsPerSecond),
      label:
        `${Math.round(r.requestsPerSecond).toLocaleString('en-US')} req/s` +
        (bare ? ` (${Math.round(share * 100)}%)` : ''),
    };
  });
  const max = Math.max(1, ...values.map((v) => v.rps));
  const y = { field: 'configuration', type: 'nominal', sort: null, title: null, axis: { labelLimit: 300 } };
  const x = {
    field: 'rps',
    type: 'quantitative',
    title: 'requests/s (median of the rounds)',
    scale: { domain: [0, Math.ceil((max * 1.45) / 1000) * 1000] },
  };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'Throughput by configuration',
      subtitle: 'autocannon, 50 connections, signed 1 KiB Standard Webhooks deliveries; % of (a) on the same adapter',
    },
    data: { values },
    facet: {
      row: { field: 'adapter', type: 'nominal', title: null, header: { labelFontSize: 13, labelFontWeight: 'bold' } },
    },
    spec: {
      width: 460,
      height: { step: 24 },
      layer: [
        {
          mark: { type: 'bar', tooltip: true },
          encoding: { y, x, color: { field: 'configuration', type: 'nominal', sort: null, legend: null } },
        },
        {
          mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
          encoding: { y, x, text: { field: 'label' } },
        },
      ],
    },
    resolve: { scale: { x: 'shared' } },
    config: { view: { stroke: null } },
  };
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
