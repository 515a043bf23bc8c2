import { Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  ValidateIf,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { MAX_GRACE_PERIOD_SECONDS } from '../storage/secret-store.interface';
import { ApiProperty, ApiPropertyOptional } from './openapi';

const STATUSES = ['accepted', 'duplicate', 'rejected', 'challenge'] as const;

/**
 * The decorated date-time is strictly later than the one in `property`, when both are date-times
 * (a malformed one is reported by its own `@IsDateString`).
 */
export function IsAfter(property: string, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isAfter',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [property],
      options,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const other = (args.object as Record<string, unknown>)[args.constraints[0] as string];
          const [until, since] = [Date.parse(value as string), Date.parse(other as string)];
          return typeof value !== 'string' || typeof other !== 'string' || !(until <= since);
        },
      },
    });
}

/**
 * RFC 3339 (the ISO 8601 profile of the internet): a full date-time with an explicit offset. The
 * other ISO 8601 forms (week and ordinal dates, the basic format, no offset) are refused: the
 * stores only ever see an instant that `Date` and PostgreSQL read alike.
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** Whether `value` is an RFC 3339 date-time naming a real instant (no February 30th, no hour 24). @internal */
export function isStrictDateTime(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const [offsetHour, offsetMinute] = [Number(m[7] ?? 0), Number(m[8] ?? 0)];
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0);
  return (
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHour <= 23 &&
    offsetMinute <= 59 &&
    Number.isFinite(Date.parse(value))
  );
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function IsStrictDateTime(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isStrictDateTime',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must be an ISO 8601 date-time with an offset (RFC 3339), such as 2026-01-01T00:00:00Z`,
        ...options,
      },
      validator: { validate: (value: unknown) => isStrictDateTime(value) },
    });
}

/**
 * Optional means absent: `null` (or any other value) is validated, and refused unless it has the
 * right type. `@IsOptional()` would let `null` through as if the field were missing.
 */
const IsAbsentOr = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** Names of challenge-only secrets, as `webhook-config.ts` accepts them. */
export const SECRET_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Query of the secrets routes: which of the endpoint's secrets (its signing secret by default). @publicApi */
export class WebhookSecretNameQueryDto {
  @ApiPropertyOptional({
    description: "A named challenge secret of the endpoint (Meta's `verify-token`, …) instead of its signing secret.",
    example: 'verify-token',
  })
  @IsOptional()
  @IsString()
  @Matches(SECRET_NAME, { message: "name must be a secret name (a-z, 0-9 and '-', at most 63 characters)" })
  name?: string;
}

/** Body of `POST /endpoints/:endpoint/secrets`. @publicApi */
export class RotateWebhookSecretDto {
  @ApiPropertyOptional({
    description: 'The new secret. Omit it to have one generated in the provider format (returned once).',
    maxLength: 4096,
  })
  @IsAbsentOr()
  @IsString({ message: 'secret must be a string (omit it to have one generated)' })
  @MinLength(1)
  @MaxLength(4096)
  secret?: string;

  @ApiPropertyOptional({
    description: 'How long the previous secrets stay valid, in seconds.',
    minimum: 0,
    maximum: MAX_GRACE_PERIOD_SECONDS,
    default: 86400,
  })
  @IsAbsentOr()
  @IsInt()
  @Min(0)
  @Max(MAX_GRACE_PERIOD_SECONDS)
  gracePeriodSeconds?: number;
}

/** Query of `GET /events`. @publicApi */
export class ListWebhookEventsQueryDto {
  @ApiPropertyOptional({ description: 'Only events of this endpoint; `-` for requests to unknown endpoints.' })
  @IsOptional()
  @IsString()
  @Matches(/^(?:-|[A-Za-z0-9][A-Za-z0-9_-]{0,62})$/, {
    message: 'endpoint must be an endpoint name, or - (requests to unknown endpoints)',
  })
  endpoint?: string;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: (typeof STATUSES)[number];

  @ApiPropertyOptional({ description: 'Only events refused or recorded with this reason code.' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9_]{1,64}$/, { message: 'reason must be a reason code (a-z, 0-9, _)' })
  reason?: string;

  @ApiPropertyOptional({ description: "Only verified events of this provider event type (Stripe's `invoice.paid`)." })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  eventType?: string;

  @ApiPropertyOptional({
    description:
      'ISO 8601 date-time with an offset (RFC 3339, e.g. 2026-01-01T00:00:00Z); events received at or after it.',
  })
  @IsOptional()
  @IsStrictDateTime()
  since?: string;

  @ApiPropertyOptional({
    description: 'ISO 8601 date-time with an offset (RFC 3339); events received before it (after `since`).',
  })
  @IsOptional()
  @IsStrictDateTime()
  @IsAfter('since', { message: 'until must be later than since' })
  until?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  // Decimal digits only: Number() would also read "0x10", "1e2", " 5" and "+5".
  @Transform(({ value }) => (typeof value === 'string' && /^[0-9]{1,4}$/.test(value) ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

/** A challenge-only secret of an endpoint, in `GET /endpoints`. @publicApi */
export class WebhookNamedSecretView {
  @ApiProperty({ example: 'verify-token' }) name!: string;
  @ApiProperty({ type: [Number], description: 'Live versions, newest first.' }) liveSecretVersions!: number[];
}

/** One endpoint in `GET /endpoints`. @publicApi */
export class WebhookEndpointView {
  @ApiProperty() name!: string;
  @ApiProperty() provider!: string;
  @ApiProperty({ type: [String] }) schemes!: string[];
  @ApiProperty({ nullable: true, type: String, description: 'The challenge kind, or null without one.' })
  challenge!: string | null;
  @ApiProperty({ type: [Number], description: 'Live versions of the signing secret, newest first.' })
  liveSecretVersions!: number[];
  @ApiProperty({ type: [WebhookNamedSecretView], description: 'The challenge-only secrets the endpoint declares.' })
  namedSecrets!: WebhookNamedSecretView[];
}

/** Every refusal of the admin API: `{ statusCode, code, message }` (and `errors` for validation). @publicApi */
export class WebhookAdminErrorView {
  @ApiProperty() statusCode!: number;
  @ApiProperty({ description: 'Stable, machine-readable reason.' }) code!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ description: 'validation_failed only: the messages of each field.' })
  errors?: { field: string; messages: string[] }[];
}

/** The 201 of a rotation; `secret` only when it was generated. @publicApi */
export class WebhookRotatedSecretView {
  @ApiProperty() version!: number;
  @ApiPropertyOptional({ description: 'Only when generated: shown this once, never again.' }) secret?: string;
  @ApiProperty() createdAt!: string;
}

/** One secret version in `GET /endpoints/:endpoint/secrets`; never the secret. @publicApi */
export class WebhookSecretVersionView {
  @ApiProperty() version!: number;
  @ApiProperty({ enum: ['active', 'expiring', 'revoked', 'expired'] }) status!: string;
  @ApiProperty({ description: 'The last 4 characters of the secret.' }) hint!: string;
  @ApiProperty() createdAt!: string;
  @ApiPropertyOptional() expiresAt?: string;
  @ApiPropertyOptional() revokedAt?: string;
  @ApiPropertyOptional() lastUsedAt?: string;
}

/** One event in `GET /events`. @publicApi */
export class WebhookEventSummaryView {
  @ApiProperty() id!: string;
  @ApiProperty() endpoint!: string;
  @ApiProperty() provider!: string;
  @ApiPropertyOptional() messageId?: string;
  @ApiProperty({ enum: STATUSES }) status!: string;
  @ApiPropertyOptional() reason?: string;
  @ApiPropertyOptional({ description: 'The provider event type of a verified event.' }) eventType?: string;
  @ApiProperty() receivedAt!: string;
  @ApiPropertyOptional() signedAt?: string;
  @ApiPropertyOptional() secretVersion?: number;
  @ApiProperty() method!: string;
  @ApiProperty() path!: string;
  @ApiProperty() bodySize!: number;
  @ApiProperty() bodySha256!: string;
  @ApiPropertyOptional({
    description:
      'Summary rows only: how many requests this row stands for (during a flood of rejections or challenges, ' +
      'a few are stored one by one per second and the rest counted).',
  })
  occurrences?: number;
}

/** A page of `GET /events`, newest first; `nextCursor` when there is more. @publicApi */
export class WebhookEventPageView {
  @ApiProperty({ type: [WebhookEventSummaryView] }) items!: WebhookEventSummaryView[];
  @ApiPropertyOptional() nextCursor?: string;
}

/** `GET /events/:id`: the summary, redacted headers and the stored body. @publicApi */
export class WebhookEventDetailView extends WebhookEventSummaryView {
  @ApiProperty({ type: Object, description: 'Headers, with credentials and signatures redacted.' })
  headers!: Record<string, string>;
  @ApiProperty({ description: 'The stored body (up to the configured cap), base64.' }) bodyBase64!: string;
  @ApiProperty() bodyTruncated!: boolean;
}
