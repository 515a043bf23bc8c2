// Catalogue entries of the providers added from shared/providers-devtools.md (group a),
// in the README's order; their presets are re-exported in ./devtools-a.ts.
import { azureDevOpsProvider } from '../azure-devops';
import { bitbucketProvider } from '../bitbucket';
import { buildkiteProvider } from '../buildkite';
import { circleciProvider } from '../circleci';
import { clerkProvider } from '../clerk';
import { crispProvider } from '../crisp';
import { frontProvider } from '../front';
import { giteaProvider } from '../gitea';
import { gitlabProvider, gitlabSignedProvider } from '../gitlab';
import { grafanaProvider } from '../grafana';
import { helpscoutProvider } from '../helpscout';
import { herokuProvider } from '../heroku';
import { openaiProvider } from '../openai';
import type { WebhookProvider } from '../provider';
import { renderProvider } from '../render';
import { replicateProvider } from '../replicate';
import { resendProvider } from '../resend';
import { sentryProvider } from '../sentry';
import { vercelProvider } from '../vercel';
import { zendeskProvider } from '../zendesk';

export const DEVTOOLS_A_PROVIDERS: readonly WebhookProvider[] = [
  openaiProvider,
  replicateProvider,
  resendProvider,
  clerkProvider,
  renderProvider,
  gitlabProvider,
  gitlabSignedProvider,
  bitbucketProvider,
  giteaProvider,
  circleciProvider,
  buildkiteProvider,
  azureDevOpsProvider,
  vercelProvider,
  herokuProvider,
  sentryProvider,
  grafanaProvider,
  zendeskProvider,
  helpscoutProvider,
  frontProvider,
  crispProvider,
] as readonly WebhookProvider[];
