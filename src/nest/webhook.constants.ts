/** Metadata key of `@WebhookEndpoint(name)`. @internal */
export const WEBHOOK_ENDPOINT_METADATA = 'hookwarden:endpoint';
/** Injection token of the resolved configuration (defaults applied once). @internal */
export const WEBHOOK_CONFIG = Symbol('hookwarden:config');
/** Metadata key of `@WebhookChallenge()`: `true` (the endpoint's strategy), an instance or a class. @internal */
export const WEBHOOK_CHALLENGE_METADATA = 'hookwarden:challenge';

/**
 * Whether endpoints can be created at run time (the admin API mounted, or TypeORM storage, where
 * another instance or the CLI may create them): `@OnWebhook` may then name an endpoint the options
 * do not have. @internal
 */
export const RUNTIME_ENDPOINTS_POSSIBLE = Symbol('hookwarden:runtime-endpoints-possible');
