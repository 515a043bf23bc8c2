import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Where each provider's payload carries its event id (the field the verifier reads as the message
 * id), and how a fresh one looks. Providers that carry the id in a header get it from
 * `signDelivery()` instead.
 */
const BODY_IDS: Readonly<Record<string, { readonly path: readonly string[]; readonly fresh: () => string }>> = {
  stripe: { path: ['id'], fresh: () => `evt_${randomBytes(12).toString('hex')}` },
  discord: { path: ['id'], fresh: () => snowflake() },
  intercom: { path: ['id'], fresh: () => `notif_${randomUUID()}` },
  pagerduty: { path: ['event', 'id'], fresh: () => randomBytes(13).toString('hex').toUpperCase() },
  slack: { path: ['event_id'], fresh: () => `Ev${randomBytes(5).toString('hex').toUpperCase()}` },
  smartsheet: { path: ['nonce'], fresh: () => randomUUID() },
  square: { path: ['event_id'], fresh: () => randomUUID() },
  trello: { path: ['action', 'id'], fresh: () => randomBytes(12).toString('hex') },
};

/** A Discord-style snowflake: a decimal 64-bit number. */
function snowflake(): string {
  return (randomBytes(8).readBigUInt64BE() >> 1n).toString();
}

/** The path of the event id in a provider's payload, or `undefined` when the id is in a header. */
export function bodyIdPath(provider: string): readonly string[] | undefined {
  return BODY_IDS[provider]?.path;
}

/**
 * The JSON body `hookwarden send` posts without `--data`: a test event with a fresh id where the
 * provider's payload carries one, so that two sends are two events (not a duplicate dropped) and
 * the receiver can deduplicate a retried one.
 */
export function testEventBody(provider: string, now: Date = new Date()): string {
  const event: Record<string, unknown> = { type: 'hookwarden.test', sentAt: now.toISOString() };
  const id = BODY_IDS[provider];
  if (!id) return JSON.stringify(event);
  let value: unknown = id.fresh();
  for (const key of [...id.path].reverse()) value = { [key]: value };
  // The id first, as the providers put it.
  return JSON.stringify({ ...(value as object), ...event });
}
