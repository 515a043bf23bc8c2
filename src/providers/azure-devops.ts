import { randomUUID } from 'node:crypto';
import { BasicAuthScheme } from '../core/auth/basic-auth.scheme';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Azure DevOps service hooks sign nothing; the Web Hooks consumer can send HTTP Basic credentials,
 * checked here in constant time against the endpoint's live secrets, each `username:password`. They
 * do not cover the body.
 */
const azureDevOpsScheme = () => new BasicAuthScheme({ name: 'azure-devops' });

const { provider, preset } = sharedSecretProvider({
  id: 'azure-devops',
  displayName: 'Azure DevOps',
  docsUrl: 'https://learn.microsoft.com/en-us/azure/devops/service-hooks/services/webhooks',
  presetName: 'azureDevOps',
  secretOption: 'credentials',
  signsBody: false,
  verification: 'HTTP Basic `username:password`, constant time (no signature)',
  eventType: { bodyField: 'eventType' },
  scheme: azureDevOpsScheme,
  generateSecret: () => `hookwarden:${randomAlphanumeric(32)}`,
  sampleEvent: jsonEvent(() => ({
    id: randomUUID(),
    eventType: 'git.push',
    publisherId: 'tfs',
    resource: {},
    createdDate: new Date().toISOString(),
  })),
});

/** Azure DevOps service hooks (Web Hooks consumer with Basic authentication). @publicApi */
export const azureDevOpsProvider = provider;

/**
 * Azure DevOps: the Web Hooks consumer's Basic credentials (`username:password`), constant time.
 * @publicApi
 * @example endpoints: { azureDevOps: azureDevOps({ credentials: process.env.AZDO_HOOK_CREDENTIALS }) }
 */
export const azureDevOps = preset;
