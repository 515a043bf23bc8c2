// Challenge strategies of the providers, one small file each; provider presets import them from here.
export type { ProviderChallengeOptions } from './provider-challenge-options';
export { slackChallenge, type SlackChallengeOptions } from '../slack';
export { metaChallenge, type VerifyTokenChallengeOptions } from '../meta';
export { stravaChallenge } from '../strava';
export { zoomChallenge } from '../zoom';
export { twitterChallenge, xChallenge } from '../twitter';
export { twitchChallenge } from '../twitch';
export { asanaChallenge } from '../asana';
export { smartsheetChallenge } from '../smartsheet';
export { adobeSignChallenge, ADOBE_SIGN_CLIENT_ID_SECRET, type AdobeSignChallengeOptions } from './adobe-sign';
export { adobeIoChallenge } from '../adobe-io';
export { trelloChallenge } from '../trello';
export { dropboxChallenge } from '../dropbox';
export { msGraphChallenge } from '../ms-graph';
export { oktaChallenge } from '../okta';
