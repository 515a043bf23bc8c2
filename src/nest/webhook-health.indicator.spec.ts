// The health answer when the inbox's store does not answer (the database is down): the lag is
// unknown, and the problem says so rather than naming a lag it never measured.
import { InMemoryEventLog } from '../storage/in-memory/in-memory-event-log';
import { InMemorySecretStore } from '../storage/in-memory/in-memory-secret-store';
import type { ResolvedWebhookConfig } from './webhook-config';
import { HEALTH_READING_DEADLINE_MS, unsupportedTerminus, WebhookHealthIndicator } from './webhook-health.indicator';

describe('WebhookHealthIndicator', () => {
  const config = { endpoints: new Map() } as unknown as ResolvedWebhookConfig;
  const indicator = (lagSeconds: () => Promise<number>) =>
    new WebhookHealthIndicator(new InMemoryEventLog(), new InMemorySecretStore(), config, { active: true, lagSeconds });

  it('is down with the lag unknown when the inbox store fails, and names the threshold only for a measured lag', async () => {
    const failing = await indicator(() => Promise.reject(new Error('connection refused'))).isHealthy('webhooks');
    expect(failing.webhooks).toMatchObject({
      status: 'down',
      problems: ['inbox lag unknown: its store did not answer'],
      inbox: { lagSeconds: null },
    });
    const late = await indicator(() => Promise.resolve(400)).isHealthy('webhooks');
    expect(late.webhooks).toMatchObject({
      status: 'down',
      problems: ['inbox lag above 300s'],
      inbox: { lagSeconds: 400 },
    });
    expect((await indicator(() => Promise.resolve(1)).isHealthy('webhooks')).webhooks!.status).toBe('up');
  });
});

describe('WebhookHealthIndicator under a flood of checks', () => {
  // A health route is usually public: 100–200 concurrent GETs, each reading the event log, the
  // inbox and every endpoint's secrets, made a load balancer's probe time out (an outside review).
  it('reads the stores once for all the checks that come while a reading is in flight', async () => {
    const endpoints = ['a', 'b', 'c'];
    const config = { endpoints: new Map(endpoints.map((name) => [name, {}])) } as unknown as ResolvedWebhookConfig;
    let writableReads = 0;
    // As the TypeORM log has it (a query on its pool); the in-memory log has none.
    const log = Object.assign(new InMemoryEventLog(), {
      checkWritable: async () => {
        writableReads++;
        return true;
      },
    });
    const secrets = new InMemorySecretStore();
    let lagReads = 0;
    const listSecrets = jest.spyOn(secrets, 'listSecrets');
    const indicator = new WebhookHealthIndicator(log, secrets, config, {
      active: true,
      lagSeconds: async () => {
        lagReads++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return 1;
      },
    });
    const answers = await Promise.all(Array.from({ length: 100 }, () => indicator.isHealthy('webhooks')));
    for (const answer of answers) expect(answer.webhooks!.status).toBe('up');
    expect(writableReads).toBe(1);
    expect(lagReads).toBe(1);
    expect(listSecrets).toHaveBeenCalledTimes(endpoints.length);
    // A check after that reading ended reads again: what it answers is never older than its call.
    await indicator.isHealthy('webhooks', { maxInboxLagSeconds: 0.5 });
    expect(lagReads).toBe(2);
    expect(writableReads).toBe(2);
  });
});

describe('WebhookHealthIndicator when a store hangs', () => {
  // A silent connection: the shared reading must not hold every later check once the store is back.
  it('answers down after the deadline, and the next check reads again', async () => {
    let hang = true;
    const log = Object.assign(new InMemoryEventLog(), {
      checkWritable: () => (hang ? new Promise<boolean>(() => undefined) : Promise.resolve(true)),
    });
    const config = { endpoints: new Map() } as unknown as ResolvedWebhookConfig;
    const indicator = new WebhookHealthIndicator(log, new InMemorySecretStore(), config);
    const started = Date.now();
    const hung = await indicator.isHealthy('webhooks');
    expect(Date.now() - started).toBeGreaterThanOrEqual(HEALTH_READING_DEADLINE_MS - 50);
    expect(hung.webhooks).toMatchObject({ status: 'down', eventLog: { writable: false } });
    hang = false;
    expect((await indicator.isHealthy('webhooks')).webhooks!.status).toBe('up');
  });
});

describe('the terminus version the indicator accepts', () => {
  // terminus 10 counts a returned `down` result as healthy (200): the indicator would hide an outage.
  it('refuses terminus 10 at start-up, saying which version to install; 11, 12 and none pass', () => {
    expect(unsupportedTerminus('10.3.0')).toMatch(/@nestjs\/terminus 10\.3\.0.*npm install @nestjs\/terminus@11/);
    expect(unsupportedTerminus('9.2.2')).toBeDefined();
    expect(unsupportedTerminus('11.0.0')).toBeUndefined();
    expect(unsupportedTerminus('12.1.0')).toBeUndefined();
    expect(unsupportedTerminus(undefined)).toBeUndefined();
  });
});

describe('WebhookHealthIndicator with terminus 10 installed', () => {
  // An app may have terminus 10 for its own checks: it starts; only this indicator's check refuses.
  class OnTerminus10 extends WebhookHealthIndicator {
    protected override terminusVersion(): string {
      return '10.2.3';
    }
  }
  const config = { endpoints: new Map() } as unknown as ResolvedWebhookConfig;

  it('is built (the app starts), and its check throws saying which terminus to install', async () => {
    const indicator = new OnTerminus10(new InMemoryEventLog(), new InMemorySecretStore(), config);
    await expect(indicator.isHealthy('webhooks')).rejects.toThrow(/npm install @nestjs\/terminus@11/);
  });
});
