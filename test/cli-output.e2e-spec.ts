// `hookwarden send` and `hookwarden challenge` print what the server answered: a hostile or
// compromised server (or one behind a proxy) must not drive the terminal with escape sequences nor
// flood it (an outside review: the answer went to stdout as it came).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const ESC = '\u001b';
const hostile = `${ESC}]0;pwned${'\u0007'}${ESC}[2J${ESC}[31mred\u202eevil\nsecond line\r\nthird\u2028fourth\n${'x'.repeat(100_000)}`;

describe('the CLI prints what a server answered as text, bounded', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(hostile);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const spies = [
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0),
      jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0),
    ];
    try {
      const { main } = await import('../src/cli/hookwarden');
      return { code: await main(argv), out: out.join(''), err: err.join('') };
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  }

  it.each([
    ['send', ['send', 'github', '--url', '{url}', '--secret', 'It is a secret to everybody']],
    ['challenge', ['challenge', 'slack', '--url', '{url}', '--secret', 'slack-signing-secret']],
  ])('%s', async (_, argv) => {
    const printed = (await run(argv.map((arg) => (arg === '{url}' ? url : arg)))).out;
    expect(printed).toContain('400');
    // No control character but line feeds reaches the terminal; the overrides are written out.
    // eslint-disable-next-line no-control-regex
    expect(printed).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
    expect(printed).toContain('\\u001b]0;pwned');
    expect(printed).toContain('\\u202eevil\nsecond line\nthird\\u2028fourth');
    expect(printed.length).toBeLessThan(10_000);
    expect(printed).toMatch(/more characters/);
  });

  it('says that a challenge the provider signs needs --secret, as a usage error', async () => {
    const { code, err } = await run(['challenge', 'slack', '--url', url]);
    expect(code).toBe(2);
    expect(err).toMatch(/challenge slack: .*--secret/);
  });
});
