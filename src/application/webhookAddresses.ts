import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook may not be sent to unless the operator allows it
 * (`DOCKET_WEBHOOKS_ALLOW_PRIVATE=1`): loopback, private, link-local (cloud metadata),
 * carrier-grade NAT, unspecified, multicast, reserved and documentation ranges (SSRF).
 */
const refused = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  refused.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  refused.addSubnet(network, prefix, 'ipv6');

/** The IPv4 address an IPv6 address carries (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::`). */
const embeddedIpv4 = (address: string): string | undefined => {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower)?.[1];
  if (dotted !== undefined) return dotted;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex === null) return undefined;
  const [high, low] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
};

/** Whether `address` (an IP literal) is in a range webhooks are refused. */
export const isPrivateAddress = (address: string): boolean => {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) return refused.check(bare, 'ipv4');
  if (family !== 6) return false;
  const v4 = embeddedIpv4(bare);
  return v4 !== undefined ? refused.check(v4, 'ipv4') : refused.check(bare, 'ipv6');
};

/**
 * Why a webhook URL is refused at registration, or undefined: not http(s), credentials in it,
 * or a host that is a refused address or a local name. Names are resolved when each delivery
 * connects (src/adapters/httpWebhookSender.ts), where every address they resolve to is
 * checked again: a name that resolves to a private address later is refused then.
 */
export const webhookUrlProblem = (text: string, allowPrivate: boolean): string | undefined => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'an http or https URL';
  if (url.username !== '' || url.password !== '') return 'no credentials in the URL';
  if (allowPrivate) return undefined;
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const refusal =
    'a private, loopback or local address is refused (DOCKET_WEBHOOKS_ALLOW_PRIVATE=1 allows it)';
  if (isIP(host.replace(/^\[|\]$/g, '')) !== 0) return isPrivateAddress(host) ? refusal : undefined;
  if (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host.endsWith('.local') ||
    host.endsWith('.internal') ||
    !host.includes('.')
  )
    return refusal;
  return undefined;
};
