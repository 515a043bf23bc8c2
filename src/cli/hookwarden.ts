#!/usr/bin/env node
// The `hookwarden` command (bin/hookwarden.js):
//   send <provider>        signs a delivery the way the provider does and posts it
//   challenge <provider>   sends the provider's URL-verification challenge and checks the answer
//   migrate | revert | reencrypt   storage maintenance (src/storage/typeorm/storage.cli.ts)
// Usage mistakes exit 2 with the problem on stderr; a failed delivery or check exits 1.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { assertWhsecFormat, decodeStandardSecret } from '../core/secret';
import { WebhookConfigurationError } from '../core/errors';
import { printable } from '../core/terminal-text';
import type * as StorageCommands from '../storage/typeorm/storage.cli';
import type * as JobsCommands from '../storage/typeorm/inbox.cli';
import { WEBHOOK_PROVIDERS } from '../providers/catalogue';
import { challengeRequest, signWebhook } from '../testing/sign-webhook';

const USAGE = `Usage: hookwarden <command> [options]

Commands:
  send <provider> --url <url> --secret <secret> [--data <json> | --data @file] [--content-type <type>]
      Sign a delivery the way the provider does and POST it. Without --data, a test event with a
      fresh event id (where the provider's payload carries one).
  challenge <provider> --url <url> [--secret <secret>] [--verify-token <token>]
      Send the provider's URL-verification challenge and check the answer.
  migrate      Run Hookwarden's pending database migrations.
  revert       Revert Hookwarden's last migration.
  reencrypt    Re-encrypt every stored secret under the current master key.
  jobs list | retry <id> | redrive [--apply] | replay <event id> [--handler <Class.method>]... [--reverify]
               The inbox's jobs (filters: --state --endpoint --handler --type --limit); audited.
      Environment: DATABASE_URL (required), WEBHOOK_SCHEMA, and for reencrypt
      WEBHOOK_ENCRYPTION_KEYRING ({"current":"k2","keys":{...}}) or WEBHOOK_ENCRYPTION_KEY.

The secret of send and challenge can come from the environment instead of --secret (which other
users of the machine can read in the process list): HOOKWARDEN_SECRET.

Options:
  -h, --help       Show this help.
  -v, --version    Show the version.

Providers (send): ${WEBHOOK_PROVIDERS.map((provider) => provider.id).join(', ')}
Providers (challenge): ${WEBHOOK_PROVIDERS.filter((provider) => provider.challengeRequest)
  .map((provider) => provider.id)
  .join(', ')}
`;

/** Names earlier versions of the CLI accepted, kept so scripts keep working. */
const ALIASES: Readonly<Record<string, string>> = {
  standard: 'standard-webhooks',
  msgraph: 'ms-graph',
  adobe: 'adobe-io',
};
const providerNamed = (name: string) => WEBHOOK_PROVIDERS.find((provider) => provider.id === (ALIASES[name] ?? name));

const COMMANDS = ['send', 'challenge', 'migrate', 'revert', 'reencrypt', 'jobs', 'help'];

/** Where the CLI writes; tests spawn the real bin instead of replacing these. */
const out = (text: string): void => void process.stdout.write(text + '\n');
const err = (text: string): void => void process.stderr.write(text + '\n');

/** A mistake in the command line: reported on stderr with a pointer to --help, exit code 2. */
function usageError(message: string): number {
  err(`hookwarden: ${message}\nRun "hookwarden --help" for usage.`);
  return 2;
}

/** The package's version, read from the package.json two levels up (from src/cli or dist/cli). */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

export async function main(argv: string[]): Promise<number> {
  // `jobs` has options of its own (src/storage/typeorm/inbox.cli.ts); loaded only for it, like typeorm.
  if (argv[0] === 'jobs') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jobs = require('../storage/typeorm/inbox.cli') as typeof JobsCommands;
    return jobs.runJobsCommand(argv.slice(1), process.env, { out, err });
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        secret: { type: 'string' },
        data: { type: 'string' },
        'content-type': { type: 'string' },
        'verify-token': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { positionals, values } = parsed;
  const [command, provider, ...extra] = positionals;
  if (values.version) {
    out(packageVersion());
    return 0;
  }
  if (values.help || command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === undefined) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (!COMMANDS.includes(command)) return usageError(`unknown command: ${command}`);

  if (command === 'migrate' || command === 'revert' || command === 'reencrypt') {
    if (provider !== undefined) return usageError(`${command} takes no arguments (got "${provider}").`);
    return (await loadStorageCommands()).runStorageCommand(command);
  }

  if (!provider) return usageError(`${command} needs a provider, e.g. "hookwarden ${command} stripe".`);
  if (extra.length) return usageError(`unexpected argument: ${extra[0]}`);
  if (!values.url) return usageError(`${command} needs --url <url>.`);
  const url = values.url;
  const urlProblem = checkUrl(url);
  if (urlProblem) return usageError(urlProblem);
  // --secret first; otherwise the environment, which other users cannot read in the process list.
  const secret = values.secret ?? (process.env.HOOKWARDEN_SECRET || undefined);
  const entry = providerNamed(provider);
  if (command === 'send') {
    if (!entry) {
      return usageError(
        `unknown provider for send: ${provider}. Known: ${WEBHOOK_PROVIDERS.map((p) => p.id).join(', ')}.`,
      );
    }
    if (secret === undefined) return usageError('send needs --secret <secret> (or HOOKWARDEN_SECRET).');
    const secretProblem = checkSecret(entry.id, secret);
    if (secretProblem) return usageError(secretProblem);
    const data = values.data;
    const delivery = signWebhook(entry, {
      secret,
      url,
      ...(data !== undefined
        ? {
            body: data.startsWith('@') ? readFileSync(data.slice(1)) : Buffer.from(data),
            contentType: values['content-type'] ?? 'application/json',
          }
        : values['content-type'] !== undefined
          ? { contentType: values['content-type'] }
          : {}),
    });
    const response = await request(delivery.url ?? url, {
      method: delivery.method,
      headers: delivery.headers,
      body: delivery.body,
    });
    out(`${response.status} ${printable(response.statusText)}`);
    out(shown(await response.text()));
    return response.ok ? 0 : 1;
  }
  if (!entry?.challengeRequest) {
    const known = WEBHOOK_PROVIDERS.filter((p) => p.challengeRequest).map((p) => p.id);
    return usageError(`no challenge for ${provider}. Known: ${known.join(', ')}.`);
  }
  let probe;
  try {
    probe = challengeRequest(entry, { url, secret, verifyToken: values['verify-token'] });
  } catch (error) {
    // A challenge this provider signs or keys needs its secret (Slack, Zoom): a usage error, not a crash.
    if (!(error instanceof WebhookConfigurationError)) throw error;
    return usageError(
      `challenge ${provider}: ${error.message}${secret === undefined ? ' Give it with --secret.' : ''}`,
    );
  }
  const target = new URL(url);
  for (const [k, v] of Object.entries(probe.query ?? {})) target.searchParams.set(k, v);
  const response = await request(target, { method: probe.method, headers: probe.headers, body: probe.body });
  const text = await response.text();
  const problem = probe.check({ status: response.status, headers: response.headers, text });
  out(`${response.status} ${printable(response.statusText)}`);
  if (text) out(shown(text));
  out(problem ? `FAILED: ${problem}` : 'OK: the answer is what the provider expects');
  return problem ? 1 : 0;
}

const MAX_SHOWN = 4096;

/** A server's answer as the terminal shows it: escapes written out, at most 4,096 characters. */
function shown(text: string): string {
  const lines = text.replace(/\r\n/g, '\n');
  if (lines.length <= MAX_SHOWN) return printable(lines, true);
  // Not between the two halves of a surrogate pair.
  const end = /[\ud800-\udbff]/.test(lines[MAX_SHOWN - 1]) ? MAX_SHOWN - 1 : MAX_SHOWN;
  return printable(`${lines.slice(0, end)}\n[… ${lines.length - end} more characters]`, true);
}

/**
 * Why `url` cannot be used, never quoting it: it may carry credentials (`user:password@`), which
 * fetch refuses anyway, quoting the whole URL.
 */
function checkUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '--url is not a valid URL (expected http://host[:port]/path or https://…).';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return '--url must be an http:// or https:// URL.';
  if (parsed.username || parsed.password) {
    return '--url must not carry credentials (user:password@): fetch refuses them, and they would end up in logs.';
  }
  return undefined;
}

/** The secret checks the module runs at start-up, so `send` never signs with a secret it would refuse. */
function checkSecret(provider: string, secret: string): string | undefined {
  try {
    assertWhsecFormat(secret);
    if (provider === 'standard-webhooks' || provider === 'svix') decodeStandardSecret(secret);
    return undefined;
  } catch (error) {
    return (error as Error).message; // these messages never quote the secret
  }
}

/** fetch, with its real reason on failure: "fetch failed" alone says nothing; the cause (code, message) does. */
async function request(url: string | URL, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const reason = [cause?.code, cause?.message].filter((part) => typeof part === 'string' && part !== '').join(': ');
    throw new Error(`could not deliver: ${reason || (error as Error).message}`, { cause: error });
  }
}

/** The storage commands need typeorm and pg, optional peers: loaded only for them. */
async function loadStorageCommands(): Promise<typeof StorageCommands> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../storage/typeorm/storage.cli') as typeof StorageCommands;
  } catch (error) {
    const missing = /^Cannot find module '(typeorm|pg)'/.exec((error as Error).message);
    if (!missing) throw error;
    throw new Error(
      `the storage commands need typeorm and pg (${missing[1]} is not installed): npm install typeorm pg`,
      { cause: error },
    );
  }
}

if (require.main === module) {
  // Run directly (node dist/cli/hookwarden.js); bin/hookwarden.js calls main() itself.
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`hookwarden: ${error.message}\n`);
      process.exit(1);
    },
  );
}
