import { IsBoolean, IsObject, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from './openapi';
import { WebhookEndpointView } from './admin.dto';

/** Optional means absent: `null` is validated, and refused (see admin.dto.ts). */
const IsAbsentOr = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** Run-time endpoint names (RUNTIME_ENDPOINT_NAME of nest/runtime-endpoints.ts). */
const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const PROVIDER = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Body of `POST /endpoints`: a preset by name with its options, or a generic HMAC scheme. @publicApi */
export class CreateWebhookEndpointDto {
  @ApiProperty({
    description: "The endpoint's name, the path parameter of its route: a-z, 0-9, '-' and '_', at most 63.",
    example: 'acme-stripe',
  })
  @IsString()
  @Matches(NAME, { message: "name must be 1–63 of a-z, 0-9, '-' and '_', starting with a letter or digit" })
  name!: string;

  @ApiProperty({
    description: 'A preset of the catalogue (`stripe`, `github`, `shopify`, …), or `hmac` for a generic HMAC scheme.',
    example: 'stripe',
  })
  @IsString()
  @Matches(PROVIDER, { message: 'provider must be a catalogue id such as stripe, or hmac' })
  provider!: string;

  @ApiPropertyOptional({
    type: Object,
    description:
      "The preset's options (`{ url }` for providers that sign it; for `hmac`, the scheme: `{ header, prefix, template, … }`). " +
      'Options that hold secrets are stored encrypted and never shown; a signing secret given here goes to the secret store.',
  })
  @IsAbsentOr()
  @IsObject()
  options?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: Object,
    description: 'Generic endpoints only: declarative challenge rules (CEL), checked like those of the options.',
  })
  @IsAbsentOr()
  @IsObject()
  challenge?: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'The signing secret. Omit it to have one generated in the provider format (returned once).',
    maxLength: 4096,
  })
  @IsAbsentOr()
  @IsString({ message: 'secret must be a string (omit it to have one generated)' })
  @MinLength(1)
  @MaxLength(4096)
  secret?: string;
}

/** Body of `PATCH /endpoints/:endpoint`: what changes. @publicApi */
export class UpdateWebhookEndpointDto {
  @ApiPropertyOptional({
    type: Object,
    description: 'Options to set, merged over the current ones; `null` removes one.',
  })
  @IsAbsentOr()
  @IsObject()
  options?: Record<string, unknown>;

  @ApiPropertyOptional({ type: Object, description: 'Generic endpoints: the new challenge rules (replace the old).' })
  @IsAbsentOr()
  @IsObject()
  challenge?: Record<string, unknown>;

  @ApiPropertyOptional({ description: '`true` re-enables a disabled endpoint, `false` disables it.' })
  @IsAbsentOr()
  @IsBoolean()
  enabled?: boolean;
}

/** A run-time endpoint; never a secret (secret options by name only). @publicApi */
export class WebhookRuntimeEndpointView extends WebhookEndpointView {
  @ApiProperty({ enum: ['runtime'], description: 'Defined through this API (the endpoints of the options have none).' })
  source!: 'runtime';
  @ApiProperty({ type: Object, description: 'The options without those holding secrets.' })
  options!: Record<string, unknown>;
  @ApiProperty({ type: [String], description: 'Names of the options stored encrypted (values never shown).' })
  secretOptions!: string[];
  @ApiProperty({ type: Object, nullable: true, description: 'The challenge rules of a generic endpoint, or null.' })
  challengeRules!: Record<string, unknown> | null;
  @ApiProperty() enabled!: boolean;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

/** The 201 of `POST /endpoints`; `secret` only when it was generated. @publicApi */
export class WebhookCreatedEndpointView extends WebhookRuntimeEndpointView {
  @ApiPropertyOptional({ description: 'Only when generated: shown this once, never again.' }) secret?: string;
}
