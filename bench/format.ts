// Markdown tables and the number formats of the benchmark's output, and the lookups of one figure.
import type { HttpResult } from './http.bench';
import type { MicroResult } from './verify.bench';

export function table(header: string[], rows: Array<Array<string | number>>, align?: string): string {
  const aligns = align ?? header.map((_, i) => (i === 0 ? 'l' : 'r')).join('');
  const sep = [...aligns].map((a) => (a === 'r' ? '---:' : a === 'c' ? ':---:' : '---'));
  return [header, sep, ...rows.map((r) => r.map(String))].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

export const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
export const fmtX = (n: number, digits = 2) => `${n.toFixed(digits)}×`;
export const fmtPct = (n: number) => `${Math.round(n * 100)}%`;
export const fmtMiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
export const mark = (ok: boolean) => (ok ? '✅ met' : '❌ missed');

export function fmtNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(0)} ns`;
}

export function microFigure(micro: MicroResult[], scheme: string, size: string, secrets: number, name: string): number {
  return micro.find((m) => m.scheme === scheme && m.size === size && m.secrets === secrets && m.name === name)
    ?.nsPerOp as number;
}

export function httpFigure(
  http: HttpResult[],
  adapter: string,
  config: string,
  connections = 50,
): HttpResult | undefined {
  return http.find((h) => h.adapter === adapter && h.config === config && h.connections === connections);
}
