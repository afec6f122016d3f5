import {
  createDocketServices,
  type DocketServices,
  type DocketServicesOptions,
} from '../../src/application/docketServices.js';
import type { EventStore } from '../../src/application/eventStore.js';
import type { Clock } from '../../src/domain/clock.js';
import { defaultPolicy } from '../../src/domain/policy/defaultPolicy.js';
import type { Policy } from '../../src/domain/policy/policy.js';
import type { Tenant } from '../../src/domain/policy/tenant.js';

export const contosoTenant: Tenant = {
  id: 'contoso',
  offering: '21vianet',
  advancedAgreement: true,
};
export const fabrikamTenant: Tenant = {
  id: 'fabrikam',
  offering: '21vianet',
  advancedAgreement: false,
};

/**
 * Docket's application services on `store`, with `tenants` registered (those the store does
 * not hold yet, so a restarted world can call it again on the same store).
 */
export const servicesWith = async (
  store: EventStore,
  clock: Clock,
  tenants: readonly Tenant[] = [contosoTenant],
  policy: Policy = defaultPolicy,
  options: DocketServicesOptions = {},
): Promise<DocketServices> => {
  const created = await createDocketServices(store, clock, policy, options);
  if (!created.ok) throw created.error;
  for (const tenant of tenants) {
    if ((await created.value.tenants.get(tenant.id)) !== undefined) continue;
    const registered = await created.value.tenants.register({ role: 'admin', id: 'root' }, tenant);
    if (!registered.ok) throw registered.error;
  }
  return created.value;
};
