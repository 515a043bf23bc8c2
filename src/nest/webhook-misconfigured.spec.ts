import { Controller, HttpCode, Logger, Post, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { standardWebhooks } from '../providers/standard-webhooks';
import { WEBHOOK_ENDPOINT_METADATA } from './webhook.constants';
import { WebhookEndpoint } from './webhook.decorators';
import { WebhookGuard } from './webhook.guard';
import { WebhookModule } from './webhook.module';

// Start-up checks refuse a route whose webhook configuration cannot work. Metadata changed after
// start-up still must not become a bare 500: the guard answers a coded one, never the detail.
@Controller('hooks')
class HooksController {
  @Post('a')
  @HttpCode(204)
  @WebhookEndpoint('a')
  @UseGuards(WebhookGuard)
  receive(): void {}
}

describe('a configuration error at request time', () => {
  it('is a coded 500 endpoint_misconfigured; the endpoint names stay in the server log', async () => {
    const logged: string[] = [];
    const moduleRef = await Test.createTestingModule({
      imports: [WebhookModule.forRoot({ endpoints: { a: standardWebhooks({ secret: `whsec_${'A'.repeat(32)}` }) } })],
      controllers: [HooksController],
    }).compile();
    const app = moduleRef.createNestApplication({ rawBody: true, logger: false });
    jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void logged.push(String(message)));
    await app.listen(0, '127.0.0.1');
    try {
      // After start-up, so the routes check has passed: an endpoint the module does not know.
      Reflect.defineMetadata(WEBHOOK_ENDPOINT_METADATA, 'ghost', HooksController.prototype.receive);
      const { port } = app.getHttpServer().address() as { port: number };
      const answer = await fetch(`http://127.0.0.1:${port}/hooks/a`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      const text = await answer.text();
      const body = (text ? JSON.parse(text) : { status: answer.status }) as Record<string, unknown>;
      expect(answer.status).toBe(500);
      expect(body).toEqual({
        statusCode: 500,
        code: 'endpoint_misconfigured',
        message: 'This webhook endpoint is misconfigured; the server log says why.',
      });
      expect(logged.join('\n')).toContain('Unknown webhook endpoint "ghost"');
    } finally {
      await app.close();
      jest.restoreAllMocks();
    }
  });
});
