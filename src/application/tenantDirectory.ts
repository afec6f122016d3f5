import { z } from 'zod';
import type { Actor } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import { forbidden, invalidTransition, notFound, validationError } from '../domain/docketError.js';
import type { Policy } from '../domain/policy/policy.js';
import { mailLanguageSchema } from '../domain/mailLanguage.js';
import { err, ok, type Result } from '../domain/result.js';
import { tenantOfferingError, tenantSchema, type Tenant } from '../domain/policy/tenant.js';
import { toFieldIssues } from '../domain/zodIssues.js';
import { directoryEvent } from './directoryEvent.js';
import { DirectoryStream, type DirectoryFold } from './directoryStream.js';
import type { EventStore } from './eventStore.js';

export const TENANTS_STREAM = 'directory-tenants';

export const tenantPatchSchema = z
  .strictObject({
    advancedAgreement: z.boolean().optional(),
    region: z.string().min(1).optional(),
    language: mailLanguageSchema.optional(),
  })
  .refine(
    (p) => p.advancedAgreement !== undefined || p.region !== undefined || p.language !== undefined,
    'nothing to change',
  );
export type TenantPatch = z.infer<typeof tenantPatchSchema>;

/**
 * `TenantRegistered { tenant }`, `TenantUpdated { id, advancedAgreement?, region?, language? }`.
 * Version 2 of both may carry the tenant's e-mail `language`; version 1 (written before it
 * existed) reads as a tenant without one.
 */
const tenantsFold: DirectoryFold<Map<string, Tenant>> = {
  initialState: () => new Map(),
  evolve: (tenants, { type, data }) => {
    if (type === 'TenantRegistered') {
      const { tenant } = data as { tenant: Tenant };
      tenants.set(tenant.id, tenant);
    } else if (type === 'TenantUpdated') {
      const { id, ...patch } = data as TenantPatch & { id: string };
      const tenant = tenants.get(id);
      if (tenant !== undefined) tenants.set(id, { ...tenant, ...patch });
    }
    return tenants;
  },
};

/**
 * Tenants (id, offering, advanced agreement, region), stored as events in `directory-tenants`
 * and managed by `admin` actors. Every lookup reads what was appended since the last one (one
 * small read), so a change made by another process is seen by the next command.
 */
export class TenantDirectory {
  readonly #stream: DirectoryStream<Map<string, Tenant>>;

  constructor(
    store: EventStore,
    private readonly clock: Clock,
    private readonly policy: () => Policy,
  ) {
    this.#stream = new DirectoryStream(store, TENANTS_STREAM, tenantsFold);
  }

  async get(id: string): Promise<Tenant | undefined> {
    return (await this.#stream.refresh()).get(id);
  }

  async list(): Promise<Tenant[]> {
    const tenants = await this.#stream.refresh();
    return [...tenants.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  async register(actor: Actor, input: unknown): Promise<Result<Tenant>> {
    if (actor.role !== 'admin') return err(forbidden('only admins manage tenants'));
    const parsed = tenantSchema.safeParse(input);
    if (!parsed.success) return err(validationError('invalid tenant', toFieldIssues(parsed.error)));
    const tenant = parsed.data;
    const invalid = tenantOfferingError(tenant, this.policy());
    if (invalid !== undefined) return err(invalid);
    return this.#stream.append<Result<Tenant>>((tenants) =>
      tenants.has(tenant.id)
        ? { events: [], result: err(invalidTransition(`tenant ${tenant.id} already exists`)) }
        : {
            events: [
              directoryEvent(
                actor,
                this.clock.now(),
                'TenantRegistered',
                { tenant },
                { schemaVersion: 2 },
              ),
            ],
            result: ok(tenant),
          },
    );
  }

  async update(actor: Actor, id: string, input: unknown): Promise<Result<Tenant>> {
    if (actor.role !== 'admin') return err(forbidden('only admins manage tenants'));
    const parsed = tenantPatchSchema.safeParse(input);
    if (!parsed.success)
      return err(validationError('invalid tenant change', toFieldIssues(parsed.error)));
    return this.#stream.append<Result<Tenant>>((tenants) => {
      const tenant = tenants.get(id);
      if (tenant === undefined)
        return { events: [], result: err(notFound(`tenant ${id} not found`)) };
      const next = { ...tenant, ...parsed.data };
      const invalid = tenantOfferingError(next, this.policy(), parsed.data.region !== undefined);
      if (invalid !== undefined) return { events: [], result: err(invalid) };
      return {
        events: [
          directoryEvent(
            actor,
            this.clock.now(),
            'TenantUpdated',
            { id, ...parsed.data },
            { schemaVersion: 2 },
          ),
        ],
        result: ok(next),
      };
    });
  }
}
