import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  Req,
  UseFilters,
  UseInterceptors,
  UseGuards,
  UsePipes,
  Injectable,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type NestInterceptor,
  type Type,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import { AdminExceptionFilter } from './admin-exception.filter';
import { adminValidation } from './admin-validation.pipe';
import {
  WebhookEndpointView,
  WebhookAdminErrorView,
  WebhookEventDetailView,
  WebhookEventPageView,
  ListWebhookEventsQueryDto,
  RotateWebhookSecretDto,
  WebhookRotatedSecretView,
  WebhookSecretNameQueryDto,
  WebhookSecretVersionView,
} from './admin.dto';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from './openapi';
import { WebhookAdminService } from './webhook-admin.service';
import {
  CreateWebhookEndpointDto,
  UpdateWebhookEndpointDto,
  WebhookCreatedEndpointView,
  WebhookRuntimeEndpointView,
} from './endpoint.dto';
import { WebhookEndpointsAdminService } from './webhook-endpoints-admin.service';
import {
  InboxJobPageView,
  InboxJobView,
  ListInboxJobsQueryDto,
  RedriveInboxJobsDto,
  RedriveResultView,
  ReplayEventDto,
} from './inbox-admin.dto';
import { WebhookInboxAdminService } from './webhook-inbox-admin.service';

// The admin API's parts, loaded together (lazily, by webhook-admin.ts) when the admin API is on.
export { AdminExceptionFilter } from './admin-exception.filter';
export { WebhookAdminService } from './webhook-admin.service';
export { WebhookEndpointsAdminService } from './webhook-endpoints-admin.service';
export { WebhookInboxAdminService } from './webhook-inbox-admin.service';

/**
 * `Cache-Control: no-store` on every answer of the admin API: some carry a secret shown once (a
 * rotation, an endpoint created with a generated one), and none is for a cache to keep.
 */
@Injectable()
class NoStore implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const response = context.switchToHttp().getResponse<{
      header?: (name: string, value: string) => unknown;
      setHeader?: (name: string, value: string) => unknown;
    }>();
    // Fastify's reply has header(); Express's response setHeader() (its header() too, but not Fastify's raw).
    if (typeof response.setHeader === 'function') response.setHeader('Cache-Control', 'no-store');
    else response.header?.('Cache-Control', 'no-store');
    return next.handle();
  }
}

/**
 * Builds the admin controller for one registration: a fresh class per prefix and guard, so two
 * apps in one process never share (or overwrite) route metadata.
 * @internal
 */
export function createWebhookAdminController(prefix: string, guard: Type<CanActivate>): Type {
  @ApiTags('webhooks-admin')
  @ApiBearerAuth()
  @ApiResponse({ status: 401, type: WebhookAdminErrorView, description: 'Missing, malformed or wrong admin token.' })
  @ApiResponse({
    status: 400,
    type: WebhookAdminErrorView,
    description: "validation_failed, with each field's messages.",
  })
  @Controller(prefix)
  @UseFilters(AdminExceptionFilter)
  @UseInterceptors(NoStore)
  @UseGuards(guard)
  @UsePipes(adminValidation)
  class WebhookAdminController {
    constructor(
      @Inject(WebhookAdminService) private readonly admin: WebhookAdminService,
      @Inject(WebhookEndpointsAdminService) private readonly endpoints: WebhookEndpointsAdminService,
      @Inject(WebhookInboxAdminService) private readonly inbox: WebhookInboxAdminService,
    ) {}

    @Get('endpoints')
    @ApiOperation({
      summary: 'The endpoints, their live secret versions and named secrets.',
      description:
        "Those of the module's options, then those defined at run time (`source: 'runtime'`, with their fields).",
    })
    @ApiResponse({ status: 200, type: [WebhookEndpointView] })
    async listEndpoints(@Req() request: unknown): Promise<WebhookEndpointView[]> {
      return this.admin.listEndpoints(request);
    }

    @Post('endpoints')
    @HttpCode(201)
    @ApiOperation({
      summary: 'Define an endpoint at run time: a preset by name with its options, or a generic HMAC scheme.',
      description:
        "Served by routes with `@WebhookEndpoint({ param })` within a second on every instance. Checked like the module's " +
        'options. Without `secret`, one is generated in the provider format and returned in this response only.',
    })
    @ApiResponse({ status: 201, type: WebhookCreatedEndpointView })
    @ApiResponse({
      status: 400,
      type: WebhookAdminErrorView,
      description:
        'invalid_endpoint (the message names the field, and for CEL the position), invalid_secret, secret_required.',
    })
    @ApiResponse({ status: 409, type: WebhookAdminErrorView, description: 'endpoint_exists, too_many_endpoints.' })
    async createEndpoint(
      @Body() body: CreateWebhookEndpointDto,
      @Req() request: unknown,
    ): Promise<WebhookCreatedEndpointView> {
      return this.endpoints.create(body, request);
    }

    @Get('endpoints/:endpoint')
    @ApiOperation({ summary: 'One run-time endpoint; options that hold secrets by name only.' })
    @ApiParam({ name: 'endpoint', description: 'The name of an endpoint defined at run time.' })
    @ApiResponse({ status: 200, type: WebhookRuntimeEndpointView })
    @ApiResponse({ status: 404, type: WebhookAdminErrorView, description: 'unknown_endpoint.' })
    async getEndpoint(@Param('endpoint') name: string, @Req() request: unknown): Promise<WebhookRuntimeEndpointView> {
      return this.endpoints.get(name, request);
    }

    @Patch('endpoints/:endpoint')
    @ApiOperation({ summary: 'Change a run-time endpoint: options (merged; null removes), challenge rules, enabled.' })
    @ApiParam({ name: 'endpoint', description: 'The name of an endpoint defined at run time.' })
    @ApiResponse({ status: 200, type: WebhookRuntimeEndpointView })
    @ApiResponse({ status: 400, type: WebhookAdminErrorView, description: 'invalid_endpoint, invalid_secret.' })
    @ApiResponse({ status: 404, type: WebhookAdminErrorView, description: 'unknown_endpoint.' })
    async updateEndpoint(
      @Param('endpoint') name: string,
      @Body() body: UpdateWebhookEndpointDto,
      @Req() request: unknown,
    ): Promise<WebhookRuntimeEndpointView> {
      return this.endpoints.update(name, body, request);
    }

    @Delete('endpoints/:endpoint')
    @HttpCode(204)
    @ApiOperation({
      summary: 'Disable a run-time endpoint: its route answers 404; its secrets and event log are kept.',
      description: 'Re-enable it with `PATCH { "enabled": true }`.',
    })
    @ApiParam({ name: 'endpoint', description: 'The name of an endpoint defined at run time.' })
    @ApiResponse({ status: 204, description: 'Disabled (also when it already was).' })
    @ApiResponse({ status: 404, type: WebhookAdminErrorView, description: 'unknown_endpoint.' })
    async disableEndpoint(@Param('endpoint') name: string, @Req() request: unknown): Promise<void> {
      return this.endpoints.disable(name, request);
    }

    @Post('endpoints/:endpoint/secrets')
    @HttpCode(201)
    @ApiOperation({
      summary: 'Rotate: add a secret version; the previous ones stay valid for the grace period.',
      description: 'Without `secret`, one is generated in the provider format and returned in this response only.',
    })
    @ApiParam({ name: 'endpoint', description: 'The endpoint name from the module options.' })
    @ApiResponse({ status: 201, type: WebhookRotatedSecretView })
    @ApiResponse({ status: 404, type: WebhookAdminErrorView, description: 'unknown_endpoint, unknown_secret_name.' })
    @ApiResponse({
      status: 409,
      type: WebhookAdminErrorView,
      description:
        'too_many_versions: revoke an older version first; shared_secret: another endpoint holds this secret and one of the two answers challenges with it.',
    })
    async rotate(
      @Param('endpoint') name: string,
      @Query() query: WebhookSecretNameQueryDto,
      @Body() body: RotateWebhookSecretDto,
      @Req() request: unknown,
    ): Promise<WebhookRotatedSecretView> {
      return this.admin.rotate(name, query, body, request);
    }

    @Get('endpoints/:endpoint/secrets')
    @ApiOperation({ summary: 'The secret versions of an endpoint, with their status; never the secrets.' })
    @ApiParam({ name: 'endpoint', description: 'The endpoint name from the module options.' })
    @ApiResponse({ status: 200, type: [WebhookSecretVersionView] })
    @ApiResponse({ status: 404, type: WebhookAdminErrorView, description: 'unknown_endpoint, unknown_secret_name.' })
    async listSecrets(
      @Param('endpoint') name: string,
      @Query() query: WebhookSecretNameQueryDto,
      @Req() request: unknown,
    ): Promise<WebhookSecretVersionView[]> {
      return this.admin.listSecrets(name, query, request);
    }

    @Delete('endpoints/:endpoint/secrets/:version')
    @HttpCode(204)
    @ApiOperation({ summary: 'Revoke a secret version now.' })
    @ApiParam({ name: 'endpoint', description: 'The endpoint name from the module options.' })
    @ApiParam({ name: 'version', description: 'The version to revoke (a positive integer).' })
    @ApiResponse({ status: 204, description: 'Revoked (also when it already was).' })
    @ApiResponse({
      status: 404,
      type: WebhookAdminErrorView,
      description: 'unknown_endpoint, unknown_secret_name, unknown_version.',
    })
    async revoke(
      @Param('endpoint') name: string,
      @Param('version') versionText: string,
      @Query() query: WebhookSecretNameQueryDto,
      @Req() request: unknown,
    ): Promise<void> {
      return this.admin.revoke(name, versionText, query, request);
    }

    @Get('events')
    @ApiOperation({ summary: 'The event log, newest first, with keyset pagination.' })
    @ApiResponse({ status: 200, type: WebhookEventPageView })
    async listEvents(
      @Query() query: ListWebhookEventsQueryDto,
      @Req() request: unknown,
    ): Promise<WebhookEventPageView> {
      return this.admin.listEvents(query, request);
    }

    @Get('events/:id')
    @ApiOperation({ summary: 'One event, with redacted headers and its stored body.' })
    @ApiParam({ name: 'id', description: 'The event id from the listing.' })
    @ApiResponse({ status: 200, type: WebhookEventDetailView })
    @ApiResponse({ status: 404, type: WebhookAdminErrorView, description: 'unknown_event.' })
    async getEvent(@Param('id') id: string, @Req() request: unknown): Promise<WebhookEventDetailView> {
      return this.admin.getEvent(id, request);
    }

    @Post('events/:id/replay')
    @HttpCode(200)
    @ApiOperation({
      summary:
        'Run handlers again on a stored event: its succeeded or dead jobs (of `handlers`, or all) go back to pending.',
    })
    @ApiParam({ name: 'id', description: 'The event id from the listing.' })
    @ApiResponse({ status: 200, type: [InboxJobView] })
    @ApiResponse({ status: 404, type: WebhookAdminErrorView, description: 'unknown_event.' })
    @ApiResponse({ status: 409, type: WebhookAdminErrorView, description: 'event_not_replayable.' })
    async replay(
      @Param('id') id: string,
      @Body() body: ReplayEventDto,
      @Req() request: unknown,
    ): Promise<InboxJobView[]> {
      return this.inbox.replay(id, body, request);
    }

    @Get('jobs')
    @ApiOperation({ summary: 'The inbox jobs (one per event and @OnWebhook handler), newest first.' })
    @ApiResponse({ status: 200, type: InboxJobPageView })
    async listJobs(@Query() query: ListInboxJobsQueryDto, @Req() request: unknown): Promise<InboxJobPageView> {
      return this.inbox.list(query, request);
    }

    @Post('jobs/redrive')
    @HttpCode(200)
    @ApiOperation({
      summary: 'Send the dead jobs matching the filters back to pending; a dry-run count unless `dryRun: false`.',
    })
    @ApiResponse({ status: 200, type: RedriveResultView })
    async redrive(@Body() body: RedriveInboxJobsDto, @Req() request: unknown): Promise<RedriveResultView> {
      return this.inbox.redrive(body, request);
    }

    @Get('jobs/:id')
    @ApiOperation({ summary: 'One inbox job.' })
    @ApiResponse({ status: 200, type: InboxJobView })
    @ApiResponse({ status: 404, type: WebhookAdminErrorView, description: 'unknown_job.' })
    async getJob(@Param('id') id: string, @Req() request: unknown): Promise<InboxJobView> {
      return this.inbox.get(id, request);
    }

    @Post('jobs/:id/retry')
    @HttpCode(200)
    @ApiOperation({ summary: 'Run a failed or dead job again now (attempts start over).' })
    @ApiResponse({ status: 200, type: InboxJobView })
    @ApiResponse({ status: 404, type: WebhookAdminErrorView, description: 'unknown_job.' })
    @ApiResponse({ status: 409, type: WebhookAdminErrorView, description: 'job_not_retryable.' })
    async retryJob(@Param('id') id: string, @Req() request: unknown): Promise<InboxJobView> {
      return this.inbox.retry(id, request);
    }
  }
  return WebhookAdminController;
}
