import { expect } from 'chai';
import { AddressPolicy } from '../../../src/adapters/webhooks/address-policy.js';

describe('webhook address policy (SSRF)', () => {
  const policy = new AddressPolicy();
  const refused = [
    '127.0.0.1', '127.9.9.9', '0.0.0.0', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '169.254.169.254', '169.254.0.1',
    '224.0.0.1', '239.255.255.250', '255.255.255.255', '198.18.0.1',
    '::', '::1', 'fe80::1', 'fc00::1', 'fd00:ec2::254', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', '64:ff9b::a9fe:a9fe', '2002:a00:1::',
  ];
  const allowed = ['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'];

  it('refuses loopback, private, link-local and metadata, CGNAT, multicast, unspecified and IPv4 hidden in IPv6', () => {
    expect(refused.filter((address) => policy.refusal(address) === undefined)).to.deep.equal([]);
  });

  it('lets public addresses through', () => {
    expect(allowed.filter((address) => policy.refusal(address) !== undefined)).to.deep.equal([]);
  });

  it('lets through what WEBHOOK_ALLOW_CIDRS lists, and only that', () => {
    const configured = new AddressPolicy(['10.1.0.0/16', '127.0.0.2', 'fd12::/64']);
    expect(['10.1.2.3', '127.0.0.2', 'fd12::5', '::ffff:10.1.0.9'].map((a) => configured.refusal(a))).to.deep.equal([undefined, undefined, undefined, undefined]);
    expect(['10.2.0.1', '127.0.0.1', 'fd13::5'].every((a) => configured.refusal(a) !== undefined)).to.equal(true);
  });
});
