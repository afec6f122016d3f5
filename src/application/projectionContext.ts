import type { ProjectionContext } from '../../projections/projection.js';
import type { PolicyRegistry } from './policyRegistry.js';

/** What projections may look up: the zones of offerings, from the policy in force. */
export const projectionContext = (policies: PolicyRegistry): ProjectionContext => ({
  zoneOf: (offering) =>
    Object.hasOwn(policies.current.offerings, offering)
      ? (policies.current.offerings[offering]?.zone ?? 'UTC')
      : 'UTC',
});
