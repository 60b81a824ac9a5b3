import { BlockList, isIP } from 'node:net';

/**
 * Where webhooks may not go unless configured: loopback, unspecified, "this network", private
 * (RFC 1918, IPv6 ULA, which holds the AWS metadata fd00:ec2::254), carrier-grade NAT, link-local
 * (which holds the metadata address 169.254.169.254), multicast, reserved and broadcast,
 * benchmarking, documentation, and IPv6 forms that embed IPv4 (mapped, NAT64, 6to4), which are
 * checked as the IPv4 address they carry.
 */
const FORBIDDEN_V4: ReadonlyArray<[string, number]> = [
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
];
const FORBIDDEN_V6: ReadonlyArray<[string, number]> = [
  ['::', 128],
  ['::1', 128],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
];

export class AddressPolicy {
  private readonly forbidden = new BlockList();
  private readonly allowed = new BlockList();

  /** `allowCidrs`: ranges let through although forbidden (WEBHOOK_ALLOW_CIDRS), e.g. "10.1.0.0/16". */
  constructor(allowCidrs: readonly string[] = []) {
    for (const [address, prefix] of FORBIDDEN_V4) this.forbidden.addSubnet(address, prefix, 'ipv4');
    for (const [address, prefix] of FORBIDDEN_V6) this.forbidden.addSubnet(address, prefix, 'ipv6');
    for (const cidr of allowCidrs) {
      const { address, prefix, family } = parseCidr(cidr);
      this.allowed.addSubnet(address, prefix, family);
    }
  }

  /** Why the address is refused, or undefined when it may be connected to. */
  refusal(address: string): string | undefined {
    const embedded = embeddedIpv4(address);
    const family = embedded ? 'ipv4' : isIP(address) === 6 ? 'ipv6' : 'ipv4';
    const checked = embedded ?? address;
    if (isIP(checked) === 0) return `${address} is not an IP address`;
    if (this.allowed.check(checked, family) || (embedded === undefined ? false : this.allowed.check(address, 'ipv6'))) return undefined;
    if (this.forbidden.check(checked, family)) return `${address} is a loopback, private, link-local, metadata or otherwise internal address (allow it with WEBHOOK_ALLOW_CIDRS)`;
    return undefined;
  }
}

/** "a.b.c.d/n" or "v6::/n"; a bare address is a single host. Throws with a readable message. */
export function parseCidr(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [address = '', prefixText] = cidr.trim().split('/');
  const version = isIP(address);
  if (version === 0) throw new Error(`${JSON.stringify(cidr)} is not an address range such as 10.1.0.0/16 or fd12::/64`);
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (prefixText !== undefined && !/^\d+$/.test(prefixText))) {
    throw new Error(`${JSON.stringify(cidr)} has a prefix length that is not 0 to ${max}`);
  }
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** The IPv4 address an IPv6 address carries (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16), if any. */
function embeddedIpv4(address: string): string | undefined {
  if (isIP(address) !== 6) return undefined;
  const words = expand(address);
  if (!words) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) return v4(words[6]!, words[7]!);
  if (words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((w) => w === 0)) return v4(words[6]!, words[7]!);
  if (words[0] === 0x2002) return v4(words[1]!, words[2]!);
  // IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks).
  if (words.slice(0, 6).every((w) => w === 0) && (words[6]! !== 0 || words[7]! > 1)) return v4(words[6]!, words[7]!);
  return undefined;
}

function expand(address: string): number[] | undefined {
  let text = address.split('%')[0]!;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const parts = dotted[1]!.split('.').map(Number);
    text = text.slice(0, -dotted[1]!.length) + `${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (tail === undefined && left.length !== 8) return undefined;
  const words = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right].map((w) => parseInt(w, 16));
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : undefined;
}
