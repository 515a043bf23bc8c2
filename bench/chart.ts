// Draws the throughput chart of bench/RESULTS.md: a Vega-Lite spec compiled and rendered to SVG by
// Vega itself, headless (no browser, no canvas).
import type { HttpResult } from './http.bench';

export async function throughputChartSvg(results: HttpResult[]): Promise<string> {
  const vega = await import('vega');
  // vega-lite's types need the bundler resolution; its one entry point used here is typed by hand.
  const vegaLite = (await import('vega-lite' as string)) as { compile(spec: unknown): { spec: object } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Requests per second by configuration (50 connections, signed 1 KiB deliveries)',
    width: 220,
    height: 260,
    data: { values: results.map((r) => ({ adapter: r.adapter, configuration: r.config, rps: Math.round(r.requestsPerSecond) })) },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      column: { field: 'adapter', type: 'nominal', title: null },
      x: { field: 'configuration', type: 'nominal', sort: null, title: null, axis: { labelAngle: -30 } },
      y: { field: 'rps', type: 'quantitative', title: 'requests/s' },
      color: { field: 'configuration', type: 'nominal', sort: null, legend: null },
    },
  };
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
