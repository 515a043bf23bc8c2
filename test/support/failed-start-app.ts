// An app whose start-up fails after Hookwarden's PostgreSQL stores connected their listeners (an
// app provider of its own throws at bootstrap), caught as a test runner or a supervisor would.
// The process must then end by itself: run with DATABASE_URL, it prints "start failed" and exits.
import 'reflect-metadata';
import { Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { standardWebhooks, WebhookModule } from '../../src';
import { migratedDataSource } from './storages';

@Injectable()
class FailingBootstrap implements OnApplicationBootstrap {
  onApplicationBootstrap(): void {
    throw new Error('the app failed after the stores started');
  }
}

@Module({
  imports: [
    migratedDataSource(process.env.DATABASE_URL!),
    WebhookModule.forRoot({
      storage: { type: 'typeorm' },
      encryptionKey: Buffer.alloc(32, 3).toString('base64'),
      endpoints: { billing: standardWebhooks({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }) },
    }),
  ],
  providers: [FailingBootstrap],
})
class AppModule {}

NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false }).then(
  () => console.log('started'),
  () => console.log('start failed'),
);
