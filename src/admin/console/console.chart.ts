// The console's activity chart: inline SVG rendered on the server (no script, no inline style:
// colours come from classes in console.css, which the CSP allows). One chart per endpoint, one
// stacked bar per minute: accepted, duplicate, then rejections by code.
import type { WebhookActivityCount } from '../../storage/event-log.interface';
import { escapeHtml } from './console.views';

/** Minutes the console charts. */
export const CHART_MINUTES = 60;
/** Codes with a colour of their own, the most frequent first; the rest share one. */
const CODE_COLOURS = 6;
const BAR = 10;
const GAP = 2;
const HEIGHT = 100;
const TOP = 14;

/** A bar's series: `accepted`, `duplicate` or a rejection code. */
interface Series {
  readonly key: string;
  readonly label: string;
  readonly className: string;
}

/**
 * Charts for each endpoint with requests in the `CHART_MINUTES` minutes before `end` (a whole
 * minute); challenges are left out. `unknownName` is how requests to unknown endpoints are listed.
 */
export function activityCharts(counts: readonly WebhookActivityCount[], end: Date, unknownName: string): string {
  const first = end.getTime() / 60_000 - CHART_MINUTES;
  const byEndpoint = new Map<string, WebhookActivityCount[]>();
  for (const c of counts) {
    const slot = c.minute.getTime() / 60_000 - first;
    if (c.status === 'challenge' || slot < 0 || slot >= CHART_MINUTES) continue;
    let list = byEndpoint.get(c.endpoint);
    if (!list) byEndpoint.set(c.endpoint, (list = []));
    list.push(c);
  }
  if (byEndpoint.size === 0) return `<p class="quiet">No requests in the last ${CHART_MINUTES} minutes.</p>`;
  return [...byEndpoint.keys()]
    .sort()
    .map((endpoint) =>
      chart(endpoint === unknownName ? '(unknown endpoints)' : endpoint, byEndpoint.get(endpoint)!, first),
    )
    .join('\n');
}

function chart(endpoint: string, counts: WebhookActivityCount[], first: number): string {
  const codes = new Map<string, number>();
  for (const c of counts)
    if (c.status === 'rejected') codes.set(c.reason ?? '', (codes.get(c.reason ?? '') ?? 0) + c.count);
  const ranked = [...codes.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([code]) => code);
  const series: Series[] = [
    { key: 'accepted', label: 'accepted', className: 'bar-accepted' },
    { key: 'duplicate', label: 'duplicate', className: 'bar-duplicate' },
    ...ranked.slice(0, CODE_COLOURS).map((code, i) => ({
      key: `rejected:${code}`,
      label: `rejected: ${code || 'no code'}`,
      className: `bar-code-${i}`,
    })),
    ...(ranked.length > CODE_COLOURS
      ? [{ key: 'rejected:*', label: 'rejected: other codes', className: 'bar-code-other' }]
      : []),
  ];
  const keyOf = (c: WebhookActivityCount) => {
    if (c.status !== 'rejected') return c.status;
    const code = c.reason ?? '';
    return ranked.indexOf(code) < CODE_COLOURS ? `rejected:${code}` : 'rejected:*';
  };
  // slot → series key → count
  const slots = Array.from({ length: CHART_MINUTES }, () => new Map<string, number>());
  const totals = new Map<string, number>();
  for (const c of counts) {
    const slot = slots[c.minute.getTime() / 60_000 - first];
    slot.set(keyOf(c), (slot.get(keyOf(c)) ?? 0) + c.count);
    totals.set(keyOf(c), (totals.get(keyOf(c)) ?? 0) + c.count);
  }
  const max = Math.max(1, ...slots.map((s) => [...s.values()].reduce((a, b) => a + b, 0)));
  const bars: string[] = [];
  slots.forEach((slot, i) => {
    let y = TOP + HEIGHT;
    const minute = new Date((first + i) * 60_000).toISOString().slice(11, 16);
    for (const s of series) {
      const n = slot.get(s.key);
      if (!n) continue;
      const h = (n / max) * HEIGHT;
      y -= h;
      bars.push(
        `<rect class="${s.className}" x="${i * (BAR + GAP)}" y="${round(y)}" width="${BAR}" height="${round(h)}"><title>${escapeHtml(`${minute} UTC · ${s.label}: ${n}`)}</title></rect>`,
      );
    }
  });
  const width = CHART_MINUTES * (BAR + GAP);
  const legend = series
    .filter((s) => totals.has(s.key))
    .map((s) => `<li><span class="swatch ${s.className}"></span>${escapeHtml(s.label)}: ${totals.get(s.key)}</li>`)
    .join('');
  const summary = series
    .filter((s) => totals.has(s.key))
    .map((s) => `${s.label} ${totals.get(s.key)}`)
    .join(', ');
  return `<figure class="activity" data-endpoint="${escapeHtml(endpoint)}">
<figcaption>${escapeHtml(endpoint)} · requests per minute, last ${CHART_MINUTES} minutes (UTC)</figcaption>
<svg class="chart" viewBox="0 0 ${width} ${TOP + HEIGHT + 14}" width="${width}" height="${TOP + HEIGHT + 14}" role="img" aria-label="${escapeHtml(`${endpoint}: ${summary}`)}">
<text class="axis" x="0" y="10">max ${max}/min</text>
<line class="baseline" x1="0" y1="${TOP + HEIGHT}" x2="${width}" y2="${TOP + HEIGHT}"></line>
${bars.join('\n')}
<text class="axis" x="0" y="${TOP + HEIGHT + 12}">−${CHART_MINUTES} min</text>
<text class="axis" x="${width}" y="${TOP + HEIGHT + 12}" text-anchor="end">now</text>
</svg>
<ul class="legend">${legend}</ul>
</figure>`;
}

function round(n: number): string {
  return String(Math.round(n * 100) / 100);
}
