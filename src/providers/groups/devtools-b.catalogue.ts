// Catalogue entries of the providers added from shared/providers-devtools.md (group b),
// in the README's order; their presets are re-exported in ./devtools-b.ts.
import type { WebhookProvider } from '../provider';
import { airtableProvider } from '../airtable';
import { attioProvider } from '../attio';
import { calComProvider } from '../cal-com';
import { clickupProvider } from '../clickup';
import { closeCrmProvider } from '../close';
import { customerIoProvider } from '../customer-io';
import { elevenLabsProvider } from '../elevenlabs';
import { figmaProvider } from '../figma';
import { frameIoProvider } from '../frame-io';
import { jiraProvider } from '../jira';
import { lineProvider } from '../line';
import { mandrillProvider } from '../mandrill';
import { msTeamsProvider } from '../ms-teams';
import { muxProvider } from '../mux';
import { notionProvider } from '../notion';
import { nylasProvider } from '../nylas';
import { plivoProvider } from '../plivo';
import { pusherProvider } from '../pusher';
import { segmentProvider } from '../segment';
import { telegramProvider } from '../telegram';
import { telnyxProvider } from '../telnyx';
import { todoistProvider } from '../todoist';
import { typeformProvider } from '../typeform';
import { webexProvider } from '../webex';
import { webflowProvider } from '../webflow';
import { workosProvider } from '../workos';

export const DEVTOOLS_B_PROVIDERS: readonly WebhookProvider[] = [
  mandrillProvider,
  customerIoProvider,
  telegramProvider,
  lineProvider,
  telnyxProvider,
  plivoProvider,
  webexProvider,
  msTeamsProvider,
  notionProvider,
  figmaProvider,
  airtableProvider,
  typeformProvider,
  calComProvider,
  workosProvider,
  webflowProvider,
  muxProvider,
  frameIoProvider,
  segmentProvider,
  elevenLabsProvider,
  jiraProvider,
  clickupProvider,
  nylasProvider,
  pusherProvider,
  closeCrmProvider,
  attioProvider,
  todoistProvider,
];
