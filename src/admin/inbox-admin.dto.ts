import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { INBOX_JOB_STATES, type InboxJobState } from '../core/inbox/inbox-decisions';
import { IsAfter, IsStrictDateTime } from './admin.dto';
import { ApiProperty, ApiPropertyOptional } from './openapi';

const ENDPOINT = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const HANDLER = /^[\w.@$-]{1,200}$/;
const EVENT_TYPE = /^[\w.:/-]{1,200}$/;

/** Filters of `POST /jobs/redrive` (dead jobs only), and with any `state` of `GET /jobs`. @publicApi */
export class InboxJobSelectionDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(ENDPOINT, { message: 'endpoint must be an endpoint name' })
  endpoint?: string;

  @ApiPropertyOptional({ description: 'The handler id, `Class.method`.' })
  @IsOptional()
  @IsString()
  @Matches(HANDLER, { message: 'handler must be a handler id (Class.method)' })
  handler?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(EVENT_TYPE, { message: 'eventType must be an event type' })
  eventType?: string;

  @ApiPropertyOptional({ description: 'RFC 3339; jobs created at or after it.' })
  @IsOptional()
  @IsStrictDateTime()
  since?: string;

  @ApiPropertyOptional({ description: 'RFC 3339; jobs created before it (after `since`).' })
  @IsOptional()
  @IsStrictDateTime()
  @IsAfter('since', { message: 'until must be later than since' })
  until?: string;
}

/** Filters of `GET /jobs`. @publicApi */
export class InboxJobFilterDto extends InboxJobSelectionDto {
  @ApiPropertyOptional({ enum: INBOX_JOB_STATES })
  @IsOptional()
  @IsIn(INBOX_JOB_STATES)
  state?: InboxJobState;
}

/** @publicApi */
export class ListInboxJobsQueryDto extends InboxJobFilterDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && /^[0-9]{1,4}$/.test(value) ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  cursor?: string;
}

/** `POST /jobs/redrive`: dead jobs matching the filters go back to pending. @publicApi */
export class RedriveInboxJobsDto extends InboxJobSelectionDto {
  @ApiPropertyOptional({ enum: ['dead'], description: 'Redrive takes dead jobs only; any other state is refused.' })
  @IsOptional()
  @IsIn(['dead'], { message: 'state: redrive takes dead jobs only' })
  state?: 'dead';

  @ApiPropertyOptional({
    default: true,
    description: 'Only count the jobs that would be redriven (the default); `false` to redrive them.',
  })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

/** `POST /events/:id/replay`. @publicApi */
export class ReplayEventDto {
  @ApiPropertyOptional({ type: [String], description: 'The handlers to run again; all of the event’s by default.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(HANDLER, { each: true, message: 'each handler must be a handler id (Class.method)' })
  handlers?: string[];

  @ApiPropertyOptional({
    default: false,
    description:
      'Check the stored request first: its keyed seal, made on acceptance (HMAC-SHA256 under a subkey of the master ' +
      'key) over its endpoint, message id, type, status and whole body, must match the stored row, its body hashed ' +
      'again. A row rewritten in the database (body and digest alike), copied to another endpoint, cut, or sealed ' +
      'under a key no longer in the ring is refused. (Signature headers are redacted before storage, so the ' +
      "provider's signature itself cannot be checked again.)",
  })
  @IsOptional()
  @IsBoolean()
  reverify?: boolean;
}

/** One job of the inbox. @publicApi */
export class InboxJobView {
  @ApiProperty() id!: string;
  @ApiProperty() eventId!: string;
  @ApiProperty() endpoint!: string;
  @ApiProperty() handler!: string;
  @ApiPropertyOptional() eventType?: string;
  @ApiPropertyOptional() orderKey?: string;
  @ApiProperty({ enum: INBOX_JOB_STATES }) state!: InboxJobState;
  @ApiProperty() attempts!: number;
  @ApiProperty() runAt!: string;
  @ApiPropertyOptional() leaseUntil?: string;
  @ApiPropertyOptional({ description: 'The last failure: bounded, credentials redacted.' }) lastError?: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

/** @publicApi */
export class InboxJobPageView {
  @ApiProperty({ type: [InboxJobView] }) items!: InboxJobView[];
  @ApiPropertyOptional() nextCursor?: string;
}

/** @publicApi */
export class RedriveResultView {
  @ApiProperty({ description: 'Jobs redriven, or that would be with dryRun.' }) count!: number;
  @ApiProperty() dryRun!: boolean;
}
