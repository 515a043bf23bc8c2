import type { DataSource } from 'typeorm';
import { WebhookConfigurationError } from '../../core/errors';
import { TypeOrmAuditLog } from './typeorm-audit-log';
import { TypeOrmEventLog } from './typeorm-event-log';

// Options out of range fail start-up with the library's configuration error (which names what to
// fix), never a bare RangeError. The stores check them in their constructors, before any query.
const noDatabase = {} as DataSource;

describe('TypeORM storage options out of range', () => {
  it.each([
    ['batchSize', { batchSize: 0 }, /eventLog\.batchSize must be a positive number/],
    ['writeTimeoutMs', { writeTimeoutMs: Number.NaN }, /eventLog\.writeTimeoutMs must be a positive number/],
    ['maxDelayMs', { maxDelayMs: -1 }, /eventLog\.maxDelayMs must be zero or more/],
  ])('event log %s', (_name, options, message) => {
    expect(() => new TypeOrmEventLog(noDatabase, options)).toThrow(WebhookConfigurationError);
    expect(() => new TypeOrmEventLog(noDatabase, options)).toThrow(message);
  });

  it.each([
    ['retentionDays', { retentionDays: -1 }, /audit retentionDays must be zero or more/],
    ['pruneIntervalMs', { pruneIntervalMs: 0 }, /audit pruneIntervalMs must be a positive number/],
  ])('audit log %s', (_name, options, message) => {
    expect(() => new TypeOrmAuditLog(noDatabase, options)).toThrow(WebhookConfigurationError);
    expect(() => new TypeOrmAuditLog(noDatabase, options)).toThrow(message);
  });
});
