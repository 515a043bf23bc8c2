// The PostgreSQL configurations of the HTTP benchmark (loaded only when one is chosen, so the
// bare and guard configurations never load typeorm or pg):
//   hookwarden-pg  WebhookGuard + the TypeORM event log (group commit, deduplication by webhook-id)
//                  and the TypeORM secret store (encrypted at rest, cached in memory)
//   hookwarden-pg-inbox  the same with two no-op @OnWebhook handlers on the endpoint and no workers in
//                  this process: the 2xx path of the inbox (the event row and its two job rows written by
//                  the same INSERT, then the acknowledgement), not the handlers
//   naive-pg       what a user writes by hand: `standardwebhooks` verify, then one TypeORM
//                  repository insert per request, on the app's own TypeORM data source
import {
  BadRequestException,
  Controller,
  HttpCode,
  Injectable,
  Post,
  Req,
  type DynamicModule,
  type RawBodyRequest,
  type Type,
} from '@nestjs/common';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { Webhook } from 'standardwebhooks';
import { Column, CreateDateColumn, Entity, PrimaryColumn, type Repository } from 'typeorm';
import { OnWebhook, WebhookModule, type WebhookEndpointDefinition } from '../src';
import { HOOKWARDEN_MIGRATIONS } from '../src/storage/typeorm';

interface BenchControllers {
  GuardedController: Type;
  StatsController: Type;
}

const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

/** The table a user would declare for the deliveries they store. */
@Entity('naive_webhook_events')
export class NaiveWebhookEvent {
  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  body!: string;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}

/** Two no-op handlers for every event of the bench endpoint: two job rows per accepted delivery. */
@Injectable()
class BenchHandlers {
  @OnWebhook('bench')
  first(): void {}

  @OnWebhook('bench', '*')
  second(): void {}
}

function naiveController(secret: string): Type {
  /** What a user writes without Hookwarden: standardwebhooks verify, then a TypeORM insert per request. */
  @Controller('hooks')
  class NaiveController {
    private readonly webhook = new Webhook(secret);

    constructor(@InjectRepository(NaiveWebhookEvent) private readonly events: Repository<NaiveWebhookEvent>) {}

    @Post('bench')
    @HttpCode(200)
    async receive(@Req() req: RawBodyRequest<{ headers: Record<string, string> }>) {
      const body = req.rawBody!.toString('utf8');
      try {
        this.webhook.verify(body, req.headers);
      } catch {
        throw new BadRequestException('invalid signature');
      }
      await this.events.insert({ id: req.headers['webhook-id'], body });
      return { ok: true };
    }
  }
  return NaiveController;
}

export function benchDatabaseModules(
  config: string,
  endpoints: Record<string, WebhookEndpointDefinition>,
  secret: string,
  controllers: BenchControllers,
): DynamicModule {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error(`BENCH_CONFIG=${config} needs DATABASE_URL`);
  if (config === 'hookwarden-pg' || config === 'hookwarden-pg-inbox') {
    const inbox = config === 'hookwarden-pg-inbox';
    return {
      module: class HookwardenPgModule {},
      // Workers off: the jobs stay pending; what is measured is what the inbox adds before the 2xx.
      providers: inbox ? [BenchHandlers] : [],
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url,
          autoLoadEntities: true,
          migrations: HOOKWARDEN_MIGRATIONS,
          migrationsRun: true,
          logging: false,
        }),
        WebhookModule.forRoot({
          storage: { type: 'typeorm' },
          encryptionKey: ENCRYPTION_KEY,
          endpoints,
          ...(inbox ? { inbox: { workers: false } } : {}),
        }),
      ],
      controllers: [controllers.GuardedController, controllers.StatsController],
    };
  }
  if (config === 'naive-pg') {
    return {
      module: class NaivePgModule {},
      imports: [
        // TypeORM's defaults (a pool of 10 connections), the table created by `synchronize` as a
        // user of this shortcut would; the database is the naive configuration's own.
        TypeOrmModule.forRoot({
          type: 'postgres',
          url,
          entities: [NaiveWebhookEvent],
          synchronize: true,
          logging: false,
        }),
        TypeOrmModule.forFeature([NaiveWebhookEvent]),
      ],
      controllers: [naiveController(secret), controllers.StatsController],
    };
  }
  throw new Error(`unknown BENCH_CONFIG ${config}`);
}
