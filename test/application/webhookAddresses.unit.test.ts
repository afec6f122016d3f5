import { describe, expect, it } from 'vitest';
import { isPrivateAddress, webhookUrlProblem } from '../../src/application/webhookAddresses.js';

describe('webhook addresses (SSRF)', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '64:ff9b::a00:1',
    '[::1]',
  ])('%s is refused', (address) => expect(isPrivateAddress(address)).toBe(true));

  it.each(['8.8.8.8', '172.32.0.1', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    '%s is allowed',
    (address) => expect(isPrivateAddress(address)).toBe(false),
  );

  it.each([
    ['http://127.0.0.1:8080/hook', 'private'],
    ['http://localhost/hook', 'private'],
    ['http://[::1]/hook', 'private'],
    ['http://169.254.169.254/latest/meta-data', 'private'],
    ['http://intranet/hook', 'private'],
    ['http://db.internal/hook', 'private'],
    ['ftp://example.com/hook', 'http or https'],
    ['https://user:pw@example.com/hook', 'credentials'],
    ['not a url', 'not a URL'],
  ])('refuses %s at registration', (url, why) =>
    expect(webhookUrlProblem(url, false)).toContain(why),
  );

  it('accepts public URLs, and private ones when the operator allows them', () => {
    expect(webhookUrlProblem('https://hooks.example.com/docket', false)).toBeUndefined();
    expect(webhookUrlProblem('https://[2606:4700:4700::1111]/x', false)).toBeUndefined();
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook', true)).toBeUndefined();
    expect(webhookUrlProblem('ftp://127.0.0.1/hook', true)).toContain('http or https');
  });
});
