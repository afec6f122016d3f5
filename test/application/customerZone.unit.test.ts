import { describe, expect, it } from 'vitest';
import { customerZone } from '../../src/application/customerZone.js';
import { defaultPolicy } from '../../src/domain/policy/defaultPolicy.js';

describe("the customer's zone (e-mail instants)", () => {
  const zone = (offering: string, line: string, region?: string) =>
    customerZone(defaultPolicy, { tenant: { offering, ...(region && { region }) }, line });

  it('given an offering without regions, then its zone, even for a line staffed 24×7 (kept in UTC)', () => {
    expect(zone('21vianet', 'technical')).toBe('Asia/Shanghai');
    expect(zone('21vianet', 'billing')).toBe('Asia/Shanghai');
  });

  it("given a tenant's region, then the zone of the region's hours, whatever the line", () => {
    expect(zone('business', 'billing', 'AU')).toBe('Australia/Sydney');
    expect(zone('business', 'technical', 'AU')).toBe('Australia/Sydney');
    expect(zone('business', 'technical', 'UK')).toBe('Europe/London');
    expect(zone('business', 'technical', 'US')).toBe('America/New_York');
  });

  it('given an unknown offering or region, then a zone all the same', () => {
    expect(zone('nope', 'technical')).toBe('UTC');
    expect(zone('business', 'technical', 'FR')).toBe('America/New_York');
  });
});
