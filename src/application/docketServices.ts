import type { Clock } from '../domain/clock.js';
import type { Policy } from '../domain/policy/policy.js';
import { err, ok, type Result } from '../domain/result.js';
import { CaseCommandHandler } from './caseCommandHandler.js';
import { caseEventUpcasters } from './caseEventUpcasters.js';
import type { CommandObserver } from './commandObserver.js';
import { CaseIds } from './caseIds.js';
import { CaseTenancy } from './caseTenancy.js';
import type { EventStore } from './eventStore.js';
import { IdempotencyLedger } from './idempotencyLedger.js';
import { PolicyLog } from './policyLog.js';
import type { PolicyRegistry } from './policyRegistry.js';
import { TenantDirectory } from './tenantDirectory.js';
import { TokenRegistry } from './tokenRegistry.js';
import { UpcasterRegistry, withUpcasting } from './upcasting.js';

/** The application services one store and one policy give: what `serve` and the CLI share. */
export interface DocketServices {
  /** The store as the services see it: reads come out upcast to today's event shapes. */
  readonly store: EventStore;
  /** The store as written, not upcast: what verification hashes (docs/auditing.md). */
  readonly rawStore: EventStore;
  readonly clock: Clock;
  readonly policies: PolicyRegistry;
  readonly tenants: TenantDirectory;
  readonly tokens: TokenRegistry;
  readonly commands: CaseCommandHandler;
  /** Which tenant each case belongs to (the refusal order of case routes). */
  readonly cases: CaseTenancy;
  readonly idempotency: IdempotencyLedger;
  readonly caseIds: CaseIds;
}

export interface DocketServicesOptions {
  /** Told of every case command handled (metrics: src/adapters/prometheusMetrics.ts). */
  readonly commandObserver?: CommandObserver | undefined;
}

export const createDocketServices = async (
  rawStore: EventStore,
  clock: Clock,
  policy: Policy,
  options: DocketServicesOptions = {},
): Promise<Result<DocketServices>> => {
  const store = withUpcasting(rawStore, new UpcasterRegistry(caseEventUpcasters));
  const policies = await new PolicyLog(store, clock).adopt(policy);
  if (!policies.ok) return err(policies.error);
  const tenants = new TenantDirectory(store, clock, () => policies.value.current);
  const tokens = new TokenRegistry(store, clock, {
    tenantExists: async (id) => (await tenants.get(id)) !== undefined,
  });
  const commands = new CaseCommandHandler({
    store,
    clock,
    policies: policies.value,
    tenant: (id) => tenants.get(id),
    observer: options.commandObserver,
  });
  return ok({
    store,
    rawStore,
    clock,
    policies: policies.value,
    tenants,
    tokens,
    commands,
    cases: new CaseTenancy(store),
    idempotency: new IdempotencyLedger(store, clock),
    caseIds: await CaseIds.load(store, clock),
  });
};
