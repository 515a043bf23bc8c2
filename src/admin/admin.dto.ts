import { Type } from 'class-transformer';
import {
  IsDateString,
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
function IsAfter(property: string, options?: ValidationOptions): PropertyDecorator {
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
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  secret?: string;

  @ApiPropertyOptional({
    description: 'How long the previous secrets stay valid, in seconds.',
    minimum: 0,
    maximum: MAX_GRACE_PERIOD_SECONDS,
    default: 86400,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_GRACE_PERIOD_SECONDS)
  gracePeriodSeconds?: number;
}

/** Query of `GET /events`. @publicApi */
export class ListWebhookEventsQueryDto {
  @ApiPropertyOptional({ description: 'Only events of this endpoint.' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, { message: 'endpoint must be an endpoint name' })
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

  @ApiPropertyOptional({ description: 'ISO 8601 date-time; events received at or after it.' })
  @IsOptional()
  @IsDateString({ strict: true })
  since?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 date-time; events received before it (after `since`).' })
  @IsOptional()
  @IsDateString({ strict: true })
  @IsAfter('since', { message: 'until must be later than since' })
  until?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
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
  @ApiProperty() receivedAt!: string;
  @ApiPropertyOptional() signedAt?: string;
  @ApiPropertyOptional() secretVersion?: number;
  @ApiProperty() method!: string;
  @ApiProperty() path!: string;
  @ApiProperty() bodySize!: number;
  @ApiProperty() bodySha256!: string;
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
