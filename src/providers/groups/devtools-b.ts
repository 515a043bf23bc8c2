// Presets of the providers added from shared/providers-devtools.md (group b), re-exported for
// the package root: one line per provider file.
export { mandrill } from '../mandrill';
export { customerIo } from '../customer-io';
export { telegram } from '../telegram';
export { line } from '../line';
export { telnyx } from '../telnyx';
export { plivo } from '../plivo';
export { webex } from '../webex';
export { msTeams } from '../ms-teams';
export { notion } from '../notion';
export { figma } from '../figma';
export { airtable } from '../airtable';
export { typeform } from '../typeform';
export { calCom } from '../cal-com';
export { workos } from '../workos';
export { webflow } from '../webflow';
export { mux } from '../mux';
export { frameIo } from '../frame-io';
export { segment } from '../segment';
export { elevenLabs } from '../elevenlabs';
export { jira } from '../jira';
export { clickup } from '../clickup';
export { nylas } from '../nylas';
export { pusher } from '../pusher';
export { closeCrm } from '../close';
export { attio } from '../attio';
export { todoist } from '../todoist';
