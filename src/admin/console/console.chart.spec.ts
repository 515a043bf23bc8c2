import type { WebhookActivityCount } from '../../storage/event-log.interface';
import { activityCharts } from './console.chart';

const END = new Date(Date.UTC(2026, 5, 1, 13, 0));
const minute = (before: number) => new Date(END.getTime() - before * 60_000);
const count = (fields: Partial<WebhookActivityCount> & Pick<WebhookActivityCount, 'status' | 'count'>) => ({
  endpoint: 'billing',
  minute: minute(1),
  ...fields,
});

/** The rects of a chart as [class, y, height, title]. */
function rects(html: string): string[][] {
  return [
    ...html.matchAll(
      /<rect class="([^"]+)" x="[^"]+" y="([^"]+)" width="10" height="([^"]+)"><title>([^<]*)<\/title>/g,
    ),
  ].map((m) => [m[1], m[2], m[3], m[4]]);
}

describe('activity chart', () => {
  it('stacks accepted, duplicate and rejections by code, scaled to the busiest minute', () => {
    const html = activityCharts(
      [
        count({ status: 'accepted', count: 30 }),
        count({ status: 'duplicate', count: 10 }),
        count({ status: 'rejected', reason: 'no_matching_signature', count: 10 }),
        count({ status: 'rejected', reason: 'stale_timestamp', count: 25, minute: minute(2) }),
        count({ status: 'challenge', count: 99 }),
      ],
      END,
      '-',
    );
    // Busiest minute: 50 requests = 100 px; the chart's bottom is at y = 114.
    expect(rects(html)).toEqual([
      ['bar-code-0', '64', '50', '12:58 UTC · rejected: stale_timestamp: 25'],
      ['bar-accepted', '54', '60', '12:59 UTC · accepted: 30'],
      ['bar-duplicate', '34', '20', '12:59 UTC · duplicate: 10'],
      ['bar-code-1', '14', '20', '12:59 UTC · rejected: no_matching_signature: 10'],
    ]);
    expect(html).toContain('max 50/min');
    expect(html).not.toContain('challenge');
  });

  it('escapes names, merges codes past six, leaves out other minutes, names unknown endpoints', () => {
    const codes = Array.from({ length: 8 }, (_, i) => count({ status: 'rejected', reason: `code_${i}`, count: 8 - i }));
    const html = activityCharts(
      [
        ...codes,
        count({ endpoint: '<b>x</b>', status: 'accepted', count: 1 }),
        count({ endpoint: '-', status: 'rejected', reason: 'unknown_endpoint', count: 1 }),
        count({ status: 'accepted', count: 5, minute: minute(61) }),
        count({ status: 'accepted', count: 5, minute: END }),
      ],
      END,
      '-',
    );
    expect(html).toContain('rejected: other codes: 3'); // code_6 (2) and code_7 (1)
    expect(html).toContain('bar-code-5');
    expect(html).not.toContain('bar-code-6');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html).toContain('(unknown endpoints)');
    expect(html).not.toContain('accepted: 5');
    expect(activityCharts([], END, '-')).toContain('No requests');
  });
});
