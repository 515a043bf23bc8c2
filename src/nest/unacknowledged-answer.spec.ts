import { settleBeforeAnswer } from './unacknowledged-answer';

/** A response with the two members the wrapper reads; `end` logs when it ran. */
function response(statusCode: number, log: string[]) {
  return {
    statusCode,
    writeHead: () => undefined,
    end(...args: unknown[]) {
      log.push(`end ${JSON.stringify(args)}`);
      return this;
    },
  };
}

/** Settle callbacks that log when they ran: an acknowledgement settled at once, a withdrawal promised. */
function loggedSettle(log: string[]) {
  return {
    acknowledge: () => void log.push('acknowledge'),
    withdraw: async () => void log.push('withdraw'),
  };
}

describe('settleBeforeAnswer', () => {
  it('ends at once, after the acknowledgement, when the acknowledgement settled without a promise', () => {
    const log: string[] = [];
    const res = response(200, log);
    settleBeforeAnswer(res, loggedSettle(log));
    res.end('{"ok":true}');
    expect(log).toEqual(['acknowledge', 'end ["{\\"ok\\":true}"]']);
  });

  it('holds the answer until a promised acknowledgement settles', async () => {
    const log: string[] = [];
    const res = response(201, log);
    let settle!: () => void;
    settleBeforeAnswer(res, {
      acknowledge: () => new Promise<void>((resolve) => (settle = resolve)),
      withdraw: async () => void log.push('withdraw'),
    });
    res.end('body');
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual([]);
    settle();
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['end ["body"]']);
  });

  it('withdraws before any other answer goes out, and ends only once', async () => {
    const log: string[] = [];
    const res = response(500, log);
    settleBeforeAnswer(res, loggedSettle(log));
    res.end('failed');
    expect(log).toEqual(['withdraw']);
    await new Promise((resolve) => setImmediate(resolve));
    res.end();
    expect(log).toEqual(['withdraw', 'end ["failed"]', 'end []']);
  });
});
