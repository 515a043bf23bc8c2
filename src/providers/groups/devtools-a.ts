// Presets of the providers added from shared/providers-devtools.md (group a), re-exported for
// the package root: one line per provider file, e.g. `export { paddle } from '../paddle';`.
export { openai } from '../openai';
export { replicate } from '../replicate';
export { resend } from '../resend';
export { clerk } from '../clerk';
export { render } from '../render';
export { gitlab, gitlabSigned } from '../gitlab';
export { bitbucket } from '../bitbucket';
export { gitea } from '../gitea';
export { circleci } from '../circleci';
export { buildkite } from '../buildkite';
export { azureDevOps } from '../azure-devops';
export { vercel } from '../vercel';
export { heroku } from '../heroku';
export { sentry } from '../sentry';
export { grafana, type GrafanaPresetOptions } from '../grafana';
export { zendesk } from '../zendesk';
export { helpscout } from '../helpscout';
export { front } from '../front';
export { crisp } from '../crisp';
