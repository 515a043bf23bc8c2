// `nestjs-hookwarden/testing`: deliveries and URL-verification requests exactly as each provider
// sends them, for your own tests (and for `hookwarden send`).
export {
  signWebhook,
  challengeRequest,
  testKey,
  type SignWebhookOptions,
  type SignedWebhookRequest,
} from './sign-webhook';
export { WEBHOOK_PROVIDERS, findProvider } from '../providers/catalogue';
export type { ChallengeRequest, ChallengeRequestInput, WebhookProvider } from '../providers/provider';
