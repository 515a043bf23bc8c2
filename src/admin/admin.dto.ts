import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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
} from 'class-validator';
import { MAX_GRACE_PERIOD_SECONDS } from '../storage/secret-store.interface';

const STATUSES = ['accepted', 'duplicate', 'rejected', 'challenge'] as const;

/** Body of `POST /endpoints/:endpoint/secrets`. */
export class RotateSecretDto {
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

/** Query of `GET /events`. */
export class ListEventsQueryDto {
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

  @ApiPropertyOptional({ description: 'ISO 8601 date-time; events received before it.' })
  @IsOptional()
  @IsDateString({ strict: true })
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

export class EndpointView {
  @ApiProperty() name!: string;
  @ApiProperty() provider!: string;
  @ApiProperty({ type: [String] }) schemes!: string[];
  @ApiProperty({ nullable: true, type: String }) challenge!: string | null;
  @ApiProperty({ type: [Number] }) liveSecretVersions!: number[];
}

export class RotatedSecretView {
  @ApiProperty() version!: number;
  @ApiPropertyOptional({ description: 'Only when generated: shown this once, never again.' }) secret?: string;
  @ApiProperty() createdAt!: string;
}

export class SecretVersionView {
  @ApiProperty() version!: number;
  @ApiProperty({ enum: ['active', 'expiring', 'revoked', 'expired'] }) status!: string;
  @ApiProperty({ description: 'The last 4 characters of the secret.' }) hint!: string;
  @ApiProperty() createdAt!: string;
  @ApiPropertyOptional() expiresAt?: string;
  @ApiPropertyOptional() revokedAt?: string;
  @ApiPropertyOptional() lastUsedAt?: string;
}

export class EventSummaryView {
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

export class EventPageView {
  @ApiProperty({ type: [EventSummaryView] }) items!: EventSummaryView[];
  @ApiPropertyOptional() nextCursor?: string;
}

export class EventDetailView extends EventSummaryView {
  @ApiProperty({ type: Object, description: 'Headers, with credentials and signatures redacted.' })
  headers!: Record<string, string>;
  @ApiProperty({ description: 'The stored body (up to the configured cap), base64.' }) bodyBase64!: string;
  @ApiProperty() bodyTruncated!: boolean;
}
