import { EventLogUnavailableError } from '../storage/event-log.interface';

/** Node's errors for a server that cannot be reached or went away mid-conversation. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOENT', // a Unix socket that is not there
]);

/**
 * SQLSTATEs that say the server is not there for us, as opposed to a bad query: class 08 (connection
 * exception), 57P01–57P05 (shutting down, crashed, starting up, dropped database, idle timeout), 53300
 * (too many connections).
 */
const SERVER_STATES = /^(?:08[0-9A-Z]{3}|57P0[1-5]|53300)$/;

/** node-postgres and pg-pool say these in their messages, without a code. */
const DRIVER_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'timeout exceeded when trying to connect',
  'Cannot use a pool after calling end on the pool',
  'Connection is not established',
];

/** TypeORM's own classes for a data source that is not connected. */
const DRIVER_ERROR_NAMES = new Set(['CannotExecuteNotConnectedError', 'ConnectionIsNotSetError']);

/**
 * Whether an error means "the storage cannot be reached right now" (answered 503 + Retry-After)
 * rather than a fault of the request or of the code (500). Walks TypeORM's `driverError`, `cause`
 * and an AggregateError's `errors` (Node reports a refused dual-stack connect that way).
 * @internal
 */
export function isStorageUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== 'object' || error === null) return false;
  if (error instanceof EventLogUnavailableError) return true;
  const e = error as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || SERVER_STATES.test(e.code))) return true;
  if (typeof e.name === 'string' && DRIVER_ERROR_NAMES.has(e.name)) return true;
  if (typeof e.message === 'string' && DRIVER_MESSAGES.some((text) => (e.message as string).includes(text))) {
    return true;
  }
  if (
    Array.isArray(e.errors) &&
    e.errors.length > 0 &&
    e.errors.every((inner) => isStorageUnavailable(inner, depth + 1))
  ) {
    return true;
  }
  return isStorageUnavailable(e.driverError, depth + 1) || isStorageUnavailable(e.cause, depth + 1);
}

/** The `Retry-After` for an unavailable storage: the event log's own setting when it says so. @internal */
export function retryAfterSeconds(error: unknown): number {
  return error instanceof EventLogUnavailableError ? error.retryAfterSeconds : 5;
}
