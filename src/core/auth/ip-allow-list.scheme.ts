import { BlockList, isIP } from 'node:net';
import { WebhookConfigurationError, WebhookErrorCode, WebhookVerificationError } from '../errors';
import { headerValue, type WebhookRequest } from '../request';
import type { WebhookSecret } from '../secret';
import type { SignatureScheme, SignatureVerification, VerifyContext } from '../signature-scheme';

/**
 * How to find the client's address behind reverse proxies. Off unless configured: `X-Forwarded-For`
 * is written by whoever sends the request, so it is read only as far as trusted proxies vouch for it.
 * @publicApi
 */
export type TrustedProxies =
  /**
   * Exactly this many proxies (load balancer, ingress, …) stand in front of the app: the client is
   * the address the outermost one saw, `hops` entries from the right of the chain
   * `X-Forwarded-For…, peer`. A request with a shorter chain did not come through them and is refused.
   */
  | { readonly hops: number }
  /**
   * These addresses or CIDR ranges are proxies: the client is the right-most address of the chain
   * that is not one of them. `X-Forwarded-For` is ignored unless the TCP peer itself is a proxy.
   */
  | { readonly addresses: readonly string[] };

/** @publicApi */
export interface IpAllowListOptions {
  /**
   * Shown in logs and the admin API.
   * @default 'ip-allow-list'
   */
  readonly name?: string;
  /** Addresses and CIDR ranges, IPv4 or IPv6 (`192.0.2.10`, `140.82.112.0/20`, `2a0a:a440::/29`). */
  readonly allow: readonly string[];
  /** Read `X-Forwarded-For` behind these proxies; without it only the TCP peer address counts. */
  readonly trustedProxies?: TrustedProxies;
}

/** Proxies append one entry each; a longer chain is not a real one. */
const MAX_FORWARDED_ENTRIES = 64;
const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;
const IPV6_BRACKETED = /^\[([0-9a-fA-F:.]+)\](?::\d{1,5})?$/;

/**
 * Accepts only requests from listed addresses (`ip_not_allowed`, 403, otherwise). Matching uses
 * Node's `net.BlockList`; an IPv4-mapped IPv6 peer (`::ffff:192.0.2.1`, as dual-stack servers report
 * IPv4 clients) matches its IPv4 ranges. Compose it before a signature scheme, so addresses
 * outside the list cost no HMAC.
 * @publicApi
 */
export class IpAllowListScheme implements SignatureScheme {
  readonly name: string;
  readonly requiresSecret = false;
  /** Judges the connection: no HMAC. */
  readonly refusesChallengeAnswers = true;
  readonly checksConnection = true;
  private readonly allowed: BlockList;
  private readonly proxies?: BlockList;
  private readonly hops?: number;

  constructor(options: IpAllowListOptions) {
    this.name = options.name ?? 'ip-allow-list';
    if (!options.allow || options.allow.length === 0) {
      throw new WebhookConfigurationError(`The ${this.name} scheme needs at least one address or range in \`allow\`.`);
    }
    this.allowed = toBlockList(options.allow, `${this.name} allow`);
    const trusted = options.trustedProxies;
    if (trusted && 'hops' in trusted) {
      if (!Number.isInteger(trusted.hops) || trusted.hops < 1 || trusted.hops > MAX_FORWARDED_ENTRIES) {
        throw new WebhookConfigurationError(`The ${this.name} trustedProxies.hops must be a whole number from 1.`);
      }
      this.hops = trusted.hops;
    } else if (trusted) {
      if (!trusted.addresses || trusted.addresses.length === 0) {
        throw new WebhookConfigurationError(`The ${this.name} trustedProxies.addresses must list at least one proxy.`);
      }
      this.proxies = toBlockList(trusted.addresses, `${this.name} trustedProxies`);
    }
  }

  verify(request: WebhookRequest, _secrets: readonly WebhookSecret[], _context: VerifyContext): SignatureVerification {
    const client = this.clientAddress(request);
    if (!matches(this.allowed, client)) {
      throw new WebhookVerificationError(WebhookErrorCode.IpNotAllowed, 'The sender address is not allowed here.');
    }
    return {};
  }

  /** The address to judge: the TCP peer, or the one trusted proxies vouch for. */
  private clientAddress(request: WebhookRequest): string {
    const peer = request.remoteAddress ? normalize(request.remoteAddress) : undefined;
    if (!peer) throw notAllowed('The sender address is unknown.');
    if (this.hops === undefined && !this.proxies) return peer;
    const chain = [...forwardedFor(request), peer];
    if (this.hops !== undefined) {
      if (chain.length <= this.hops) throw notAllowed('The request did not come through the configured proxies.');
      return chain[chain.length - 1 - this.hops];
    }
    // Walk from the peer outwards while each hop is a trusted proxy vouching for the next one.
    let index = chain.length - 1;
    while (index > 0 && matches(this.proxies!, chain[index])) index -= 1;
    return chain[index];
  }
}

/**
 * Builds an {@link IpAllowListScheme}.
 * @publicApi
 * @example ipAllowList({ allow: ['192.30.252.0/22', '140.82.112.0/20'], trustedProxies: { hops: 1 } })
 */
export function ipAllowList(options: IpAllowListOptions): IpAllowListScheme {
  return new IpAllowListScheme(options);
}

function notAllowed(message: string): WebhookVerificationError {
  return new WebhookVerificationError(WebhookErrorCode.IpNotAllowed, message);
}

/** `X-Forwarded-For` entries, left (furthest) to right; malformed is `invalid_header`. */
function forwardedFor(request: WebhookRequest): string[] {
  const header = headerValue(request, 'x-forwarded-for');
  if (header === undefined || header.trim() === '') return [];
  const entries = header.split(',');
  if (entries.length > MAX_FORWARDED_ENTRIES) {
    throw new WebhookVerificationError(WebhookErrorCode.InvalidHeader, 'The x-forwarded-for header is too long.');
  }
  return entries.map((entry) => {
    const address = normalize(entry.trim());
    if (!address) {
      throw new WebhookVerificationError(
        WebhookErrorCode.InvalidHeader,
        'The x-forwarded-for header must be a comma-separated list of IP addresses.',
      );
    }
    return address;
  });
}

/**
 * A bare IP address, or `undefined`: strips the port some proxies append (`192.0.2.1:443`,
 * `[2001:db8::1]:443`); refuses zone ids (`fe80::1%eth0`), which no remote client has.
 */
function normalize(value: string): string | undefined {
  const address = IPV4_WITH_PORT.exec(value)?.[1] ?? IPV6_BRACKETED.exec(value)?.[1] ?? value;
  return isIP(address) !== 0 && !address.includes('%') ? address : undefined;
}

function matches(list: BlockList, address: string): boolean {
  return list.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6');
}

function toBlockList(entries: readonly string[], option: string): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix, ...rest] = entry.trim().split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? undefined : Number(prefix);
    const maxBits = family === 4 ? 32 : 128;
    if (
      family === 0 ||
      address.includes('%') ||
      rest.length > 0 ||
      (bits !== undefined && (!/^\d{1,3}$/.test(prefix) || bits > maxBits))
    ) {
      throw new WebhookConfigurationError(`${option}: "${entry}" is not an IP address or CIDR range.`);
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
  }
  return list;
}
