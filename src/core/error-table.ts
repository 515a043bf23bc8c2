import { WEBHOOK_ERRORS, type WebhookErrorEntry } from './errors';

/**
 * The README's error tables, rendered from the catalogue: one for webhook routes, one for the admin
 * API (codes of both scopes in each). `src/core/errors.spec.ts` fails when the README differs.
 * @internal
 */
export function renderErrorTable(scope: 'webhook' | 'admin'): string {
  const rows = (Object.entries(WEBHOOK_ERRORS) as Array<[string, WebhookErrorEntry]>)
    .filter(([, entry]) => entry.scope === scope || entry.scope === 'both')
    .sort(([a, x], [b, y]) => x.status - y.status || a.localeCompare(b))
    .map(([code, entry]) => `| ${entry.status} | \`${code}\` | ${entry.meaning} |`);
  return ['| status | code | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** The README with each table between its markers (`<!-- errors:webhook -->` … `<!-- /errors:webhook -->`). @internal */
export function withErrorTables(readme: string): string {
  let text = readme;
  for (const scope of ['webhook', 'admin'] as const) {
    const begin = `<!-- errors:${scope} (generated from src/core/errors.ts) -->`;
    const end = `<!-- /errors:${scope} -->`;
    const from = text.indexOf(begin);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md lacks the markers ${begin} … ${end}`);
    text = `${text.slice(0, from + begin.length)}\n${renderErrorTable(scope)}\n${text.slice(to)}`;
  }
  return text;
}
