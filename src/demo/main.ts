// `npm start`: the Hookwarden demo application. See README "The demo".
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { relative } from 'node:path';
import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SecretStore, useWebhookBodyParsers } from '../index';
import { signWebhook } from '../testing';
import { DEMO_ENDPOINTS, demoPublicUrl, namedSecretEnvName, secretEnvName } from './demo-endpoints';
import { demoDataDir, loadDemoCredentials, type DemoCredentials } from './demo-data';
import { openDemoDatabase, type DemoDatabase } from './demo-database';
import { DemoModule } from './demo.module';

const ADMIN_PREFIX = '/webhooks/admin';

async function main(): Promise<void> {
  const port = parsePort(process.env.PORT);
  const dataDir = demoDataDir();
  const credentials = loadDemoCredentials(dataDir);
  const database = await openDemoDatabase(dataDir, credentials.databasePassword);
  let app: INestApplication | undefined;
  const shutdown = async (code: number) => {
    await app?.close().catch(() => undefined);
    await database.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  try {
    app = await NestFactory.create(
      DemoModule.forRoot({
        DATABASE_URL: database.url,
        WEBHOOK_ADMIN_TOKEN: credentials.adminToken.value,
        WEBHOOK_ENCRYPTION_KEY: credentials.encryptionKey.value,
      }),
      { rawBody: true },
    );
    useWebhookBodyParsers(app);
    await app.listen(port);
  } catch (error) {
    new Logger('Demo').error(`The demo could not start: ${(error as Error).message}`);
    await shutdown(1);
    return;
  }
  const baseUrl = demoPublicUrl({ get: <T>(name: string) => (name === 'PORT' ? port : process.env[name]) as T });
  const standardSecret = await ensureStandardSecret(app);
  console.log(await banner(app, { baseUrl, dataDir, credentials, database, standardSecret }));
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new Error(`PORT must be a port number (0–65535), not "${value}".`);
  }
  return port;
}

/**
 * The newest live secret of `standard`, to sign the example delivery. On a first start without
 * STANDARD_WEBHOOK_SECRET the demo adds one (stored encrypted, like any rotation).
 */
async function ensureStandardSecret(app: INestApplication): Promise<{ value: string | Buffer; generated: boolean }> {
  const store = app.get<SecretStore>(SecretStore);
  const live = await store.getLiveSecrets('standard');
  if (live.length > 0) return { value: live[0].value, generated: false };
  const secret = DEMO_ENDPOINTS.find((e) => e.name === 'standard')!.define({ named: {}, publicUrl: '' })
    .generateSecret!();
  await store.addSecret('standard', secret, { gracePeriodSeconds: 0 });
  return { value: secret, generated: true };
}

interface BannerInput {
  baseUrl: string;
  dataDir: string;
  credentials: DemoCredentials;
  database: DemoDatabase;
  standardSecret: { value: string | Buffer; generated: boolean };
}

async function banner(app: INestApplication, input: BannerInput): Promise<string> {
  const { baseUrl, credentials, database } = input;
  const store = app.get<SecretStore>(SecretStore);
  // Relative to where the user is when that is shorter and clearer.
  const shown = (path: string) => {
    const rel = relative(process.cwd(), path);
    return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
  };
  const lines: string[] = [];
  const out = (line = '') => lines.push(line);

  out();
  out(`Hookwarden demo is running on ${baseUrl}`);
  out();
  out(`  Health     GET ${baseUrl}/health`);
  out(`  Admin API  ${baseUrl}${ADMIN_PREFIX}/endpoints · /events · /endpoints/<name>/secrets  (Bearer token)`);
  out(
    `  Database   ${
      database.source === 'env'
        ? 'DATABASE_URL (from the environment)'
        : `embedded PostgreSQL in ${shown(database.location ?? `${input.dataDir}/postgres`)} (set DATABASE_URL to use your own)`
    }`,
  );
  out();
  out('  Webhook endpoints: POST deliveries, challenges where the provider sends them. Secrets from the');
  out('  variables shown (seeded on start) or the admin API; an endpoint without a live secret refuses all.');
  out();
  const rows: string[][] = [];
  for (const endpoint of DEMO_ENDPOINTS) {
    const versions = (await store.getLiveSecrets(endpoint.name)).length;
    const variables = [
      secretEnvName(endpoint.name),
      ...(endpoint.namedSecrets ?? []).map((n) => namedSecretEnvName(endpoint.name, n)),
    ];
    rows.push([
      endpoint.name,
      `${baseUrl}/webhooks/${endpoint.name}`,
      variables.join(', '),
      versions > 0 ? `${versions} live` : 'no secret yet',
    ]);
  }
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  for (const row of rows)
    out(
      `    ${row
        .slice(0, 3)
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')}  ${row[3]}`,
    );
  out();

  const generated = [credentials.adminToken, credentials.encryptionKey].some((c) => c.source !== 'env');
  if (generated) {
    out(`  WARNING: generated by the demo and kept in ${shown(credentials.file)}. Production must set its own:`);
    // The admin token is printed on the start that made it only: later starts say where it is, so
    // it is not repeated into every terminal and log that captures the banner.
    if (credentials.adminToken.source === 'generated') out(`    WEBHOOK_ADMIN_TOKEN=${credentials.adminToken.value}`);
    if (credentials.adminToken.source === 'kept') {
      out(`    WEBHOOK_ADMIN_TOKEN: kept in ${shown(credentials.file)} (not shown again); for the commands below:`);
      out(
        `    export WEBHOOK_ADMIN_TOKEN="$(node -p 'require(process.argv[1]).WEBHOOK_ADMIN_TOKEN' ${shellQuote(credentials.file)})"`,
      );
    }
    // The master key decrypts every stored secret: never in the output (terminal scrollback and
    // log collectors keep it), only where it is saved, and only on the start that made it.
    if (credentials.encryptionKey.source === 'generated') {
      out(`    WEBHOOK_ENCRYPTION_KEY: a new master key, saved in ${shown(credentials.file)} (not shown)`);
    }
    out();
  }
  const token = credentials.adminToken.source === 'generated' ? credentials.adminToken.value : '$WEBHOOK_ADMIN_TOKEN';

  // Signed now: the receiver accepts it within its timestamp tolerance, and only once.
  const tolerance = standardTolerance();
  const id = `msg_${randomBytes(12).toString('hex')}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({ type: 'demo.ping', data: { message: 'Hello from the Hookwarden demo' } });
  const signed = signWebhook('standard-webhooks', {
    id,
    timestamp: timestamp * 1000,
    body,
    secret: input.standardSecret.value,
  });
  const signature = signed.headers['webhook-signature'];
  const until = new Date((timestamp + tolerance) * 1000).toLocaleTimeString();
  out(
    `  Send a signed Standard Webhooks delivery (signed at start: valid for ${Math.round(tolerance / 60)} minutes, until ${until}, ` +
      'and accepted once; a second paste is answered as a duplicate):',
  );
  out();
  out(`curl -i -X POST ${baseUrl}/webhooks/standard \\`);
  out(`  -H 'content-type: application/json' \\`);
  out(`  -H 'webhook-id: ${id}' \\`);
  out(`  -H 'webhook-timestamp: ${timestamp}' \\`);
  out(`  -H 'webhook-signature: ${signature}' \\`);
  out(`  --data-raw '${body}'`);
  out();
  out('  Then find it in the event log, and rotate the secret (the new one is shown once):');
  out();
  out(`curl -s -H "Authorization: Bearer ${token}" '${baseUrl}${ADMIN_PREFIX}/events?endpoint=standard&limit=5'`);
  out(
    `curl -s -X POST -H "Authorization: Bearer ${token}" -H 'content-type: application/json' -d '{}' ${baseUrl}${ADMIN_PREFIX}/endpoints/standard/secrets`,
  );
  out();
  out('  One endpoint per customer: create one at run time (any preset; the secret is shown once), then send to it:');
  out();
  out(
    `curl -s -X POST -H "Authorization: Bearer ${token}" -H 'content-type: application/json' ` +
      `-d '{"name":"acme","provider":"stripe"}' ${baseUrl}${ADMIN_PREFIX}/endpoints`,
  );
  out(`  npx hookwarden send stripe --url ${baseUrl}/webhooks/tenants/acme --secret <secret>`);
  out();
  out(`  Later deliveries: npx hookwarden send standard --url ${baseUrl}/webhooks/standard --secret <secret>`);
  out();
  return lines.join('\n');
}

/** `value` as one single-quoted shell word. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The timestamp tolerance of the `standard` endpoint's scheme. */
function standardTolerance(): number {
  const definition = DEMO_ENDPOINTS.find((e) => e.name === 'standard')!.define({ named: {}, publicUrl: '' });
  return (definition.schemes[0] as { toleranceSeconds?: number }).toleranceSeconds ?? 300;
}

main().catch((error: Error) => {
  console.error(`The demo could not start: ${error.message}`);
  process.exit(1);
});
