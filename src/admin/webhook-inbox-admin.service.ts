import { Inject, Injectable, Optional } from '@nestjs/common';
import { WebhookException } from '../nest/webhook.exceptions';
import { AuditLog, auditableId } from '../storage/audit-log.interface';
import { EventLogReader } from '../storage/event-log.interface';
import { SEAL_REFUSALS } from '../storage/event-seal';
import { InvalidJobCursorError, WebhookInbox, type StoredInboxJob } from '../storage/inbox.interface';
import { actorOf } from './admin-actor';
import type {
  InboxJobFilterDto,
  InboxJobPageView,
  InboxJobView,
  ListInboxJobsQueryDto,
  RedriveInboxJobsDto,
  RedriveResultView,
  ReplayEventDto,
} from './inbox-admin.dto';

/**
 * The inbox's operations for the admin API: list jobs, retry one, redrive dead ones in bulk (a
 * dry-run count by default), replay an event's handlers. Every call is audited.
 * @internal
 */
@Injectable()
export class WebhookInboxAdminService {
  constructor(
    @Inject(AuditLog) private readonly audit: AuditLog,
    @Inject(EventLogReader) private readonly events: EventLogReader,
    @Optional() @Inject(WebhookInbox) private readonly inbox?: WebhookInbox,
  ) {}

  private get jobs(): WebhookInbox {
    if (!this.inbox) throw new WebhookException('unknown_job', 'No job has this id.', 404);
    return this.inbox;
  }

  async list(query: ListInboxJobsQueryDto, request: unknown): Promise<InboxJobPageView> {
    const filter = filterOf(query);
    let page;
    try {
      page = await this.jobs.list({ ...filter, limit: query.limit ?? 50, cursor: query.cursor });
    } catch (error) {
      if (error instanceof InvalidJobCursorError) {
        throw new WebhookException('invalid_cursor', 'The cursor is not one this API returned.', 400);
      }
      throw error;
    }
    await this.record(request, 'jobs.list', query.endpoint, { filters: compact(query), count: page.items.length });
    return { items: page.items.map(view), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  async get(id: string, request: unknown): Promise<InboxJobView> {
    const job = await this.jobs.get(id);
    if (!job) throw new WebhookException('unknown_job', 'No job has this id.', 404);
    await this.record(request, 'jobs.get', job.endpoint, { id });
    return view(job);
  }

  async retry(id: string, request: unknown): Promise<InboxJobView> {
    const job = await this.jobs.retry(id);
    if (!job) {
      const found = await this.jobs.get(id);
      await this.record(request, 'jobs.retry.refused', found?.endpoint, {
        id: auditableId(id),
        reason: found ? 'job_not_retryable' : 'unknown_job',
      });
      if (!found) throw new WebhookException('unknown_job', 'No job has this id.', 404);
      throw new WebhookException('job_not_retryable', 'Only a failed or dead job can be retried.', 409);
    }
    await this.record(request, 'jobs.retry', job.endpoint, { id, handler: job.handler });
    return view(job);
  }

  async redrive(body: RedriveInboxJobsDto, request: unknown): Promise<RedriveResultView> {
    const dryRun = body.dryRun !== false;
    const count = await this.jobs.redrive(filterOf(body), dryRun);
    await this.record(request, dryRun ? 'jobs.redrive.dry_run' : 'jobs.redrive', body.endpoint, {
      filters: compact({ ...body, dryRun: undefined }),
      count,
    });
    return { count, dryRun };
  }

  async replay(eventId: string, body: ReplayEventDto, request: unknown): Promise<InboxJobView[]> {
    const event = /^[A-Za-z0-9_-]{1,128}$/.test(eventId) ? await this.events.get(eventId) : undefined;
    if (!event) {
      await this.record(request, 'events.replay.refused', undefined, {
        id: auditableId(eventId),
        reason: 'unknown_event',
      });
      throw new WebhookException('unknown_event', 'No event has this id.', 404);
    }
    if (body.reverify) {
      // The seal, not the digest column: whoever can write the table can rewrite a body and its digest.
      const check = (await this.events.checkSeal?.(event.id)) ?? 'unsealed';
      if (check !== 'intact') {
        await this.record(request, 'events.replay.refused', event.endpoint, { id: eventId, reason: check });
        throw new WebhookException('event_not_replayable', SEAL_REFUSALS[check], 409);
      }
    }
    const jobs = await this.jobs.replay(eventId, body.handlers);
    if (jobs.length === 0) {
      await this.record(request, 'events.replay.refused', event.endpoint, {
        id: auditableId(eventId),
        reason: 'no_finished_jobs',
      });
      throw new WebhookException(
        'event_not_replayable',
        'The event has no succeeded or dead job of these handlers (unfinished jobs run anyway).',
        409,
      );
    }
    await this.record(request, 'events.replay', event.endpoint, {
      id: eventId,
      handlers: jobs.map((j) => j.handler),
      reverified: body.reverify === true,
    });
    return jobs.map(view);
  }

  private record(request: unknown, action: string, endpoint?: string, details?: Record<string, unknown>) {
    return this.audit.record({ actor: actorOf(request), action, endpoint, details, at: new Date() });
  }
}

function filterOf(f: InboxJobFilterDto) {
  return {
    state: f.state,
    endpoint: f.endpoint,
    handler: f.handler,
    eventType: f.eventType,
    since: f.since ? new Date(f.since) : undefined,
    until: f.until ? new Date(f.until) : undefined,
  };
}

function compact(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** A job as the admin API and the console show it. @internal */
export function view(job: StoredInboxJob): InboxJobView {
  return {
    id: job.id,
    eventId: job.eventId,
    endpoint: job.endpoint,
    handler: job.handler,
    ...(job.eventType !== undefined ? { eventType: job.eventType } : {}),
    ...(job.orderKey !== undefined ? { orderKey: job.orderKey } : {}),
    state: job.state,
    attempts: job.attempts,
    runAt: job.runAt.toISOString(),
    ...(job.leaseUntil ? { leaseUntil: job.leaseUntil.toISOString() } : {}),
    ...(job.lastError !== undefined ? { lastError: job.lastError } : {}),
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
  };
}
