import { WEBHOOK_PROVIDERS } from './catalogue';
import type { DeliveryField, WebhookProvider } from './provider';

const BEGIN = '<!-- providers (generated from src/providers/catalogue.ts) -->';
const END = '<!-- /providers -->';

/**
 * The README's provider table, one row per catalogue entry. `src/providers/catalogue.spec.ts`
 * fails when the README differs (`UPDATE_README=1` rewrites it).
 * @internal
 */
export function renderProviderTable(providers: readonly WebhookProvider[] = WEBHOOK_PROVIDERS): string {
  const rows = providers.map((provider) =>
    [
      `[${provider.displayName}](${provider.docsUrl})`,
      `\`${provider.presetName}(${provider.presetOptions ?? ''})\``,
      cell(provider.verification),
      cell(provider.challenge ?? '—'),
      provider.messageId ? describeField(provider.messageId) : '—',
      provider.eventType ? describeField(provider.eventType) : '—',
      provider.toleranceSeconds === undefined ? 'none' : `±${provider.toleranceSeconds} s`,
      provider.vectors ?? '—',
    ].join(' | '),
  );
  return [
    '| Provider | Preset | Verification | Challenge | Message id | Event type | Tolerance | Vectors |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

/** The README with the table between its markers. @internal */
export function withProviderTable(readme: string): string {
  const from = readme.indexOf(BEGIN);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README.md lacks the markers ${BEGIN} … ${END}`);
  return `${readme.slice(0, from + BEGIN.length)}\n${renderProviderTable()}\n${readme.slice(to)}`;
}

/** A table cell: a `|` in the text would end it. */
const cell = (text: string) => text.replace(/\|/g, '\\|');

function describeField(field: DeliveryField): string {
  if ('header' in field) return `\`${field.header}\` header`;
  if ('bodyField' in field) return `body \`${field.bodyField}\``;
  if ('jwtClaim' in field) return `JWT claim \`${field.jwtClaim}\``;
  return `body ${field.bodyFields.map((name) => `\`${name}\``).join(' or ')}`;
}
