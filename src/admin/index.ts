// `nestjs-hookwarden/admin`: the admin REST API's views and request types. The API itself is turned
// on with the module's `admin` option; loading this entry (the root entry does) registers it.
import './webhook-admin';
export type { WebhookAdminExtras, WebhookAdminOptions } from '../nest/webhook-admin-mount';
export type {
  WebhookEndpointView,
  WebhookNamedSecretView,
  WebhookRotatedSecretView,
  WebhookSecretVersionView,
  WebhookEventSummaryView,
  WebhookEventPageView,
  WebhookEventDetailView,
  WebhookAdminErrorView,
  RotateWebhookSecretDto,
  ListWebhookEventsQueryDto,
  WebhookSecretNameQueryDto,
} from './admin.dto';
export type {
  InboxJobView,
  InboxJobPageView,
  RedriveResultView,
  ListInboxJobsQueryDto,
  RedriveInboxJobsDto,
  ReplayEventDto,
} from './inbox-admin.dto';
export type {
  CreateWebhookEndpointDto,
  UpdateWebhookEndpointDto,
  WebhookRuntimeEndpointView,
  WebhookCreatedEndpointView,
} from './endpoint.dto';
