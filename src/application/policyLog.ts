import type { Actor } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import { policyInvalid } from '../domain/docketError.js';
import { parsePolicy, type Policy } from '../domain/policy/policy.js';
import { err, ok, type Result } from '../domain/result.js';
import { directoryEvent } from './directoryEvent.js';
import { DirectoryStream, type DirectoryFold } from './directoryStream.js';
import { canonicalJson } from './eventHash.js';
import type { EventStore } from './eventStore.js';
import type { PolicyRegistry } from './policyRegistry.js';

export const POLICIES_STREAM = 'directory-policies';

const system: Actor = { role: 'admin', id: 'docket' };

/** `PolicyAdopted { version, policy }`: each version's policy as recorded. */
const policiesFold: DirectoryFold<Map<string, unknown>> = {
  initialState: () => new Map(),
  evolve: (versions, { type, data }) => {
    if (type === 'PolicyAdopted') {
      const { version, policy } = data as { version: string; policy: unknown };
      versions.set(version, policy);
    }
    return versions;
  },
};

/**
 * Every policy version the service has run, recorded as `PolicyAdopted { version, policy }` in
 * `directory-policies`, so that a case keeps the policy its `CaseOpened` names after the
 * operator moves to a new version, and an edited policy cannot reuse an old version number.
 */
export class PolicyLog {
  readonly #stream: DirectoryStream<Map<string, unknown>>;
  readonly #parsed = new Map<string, Policy>();

  constructor(
    store: EventStore,
    private readonly clock: Clock,
  ) {
    this.#stream = new DirectoryStream(store, POLICIES_STREAM, policiesFold);
  }

  /** Records `policy` (if new) and returns a registry with it in force and every earlier one. */
  async adopt(policy: Policy): Promise<Result<PolicyRegistry>> {
    const conflict = await this.#stream.append<string | undefined>((versions) => {
      const recorded = versions.get(policy.version);
      if (recorded === undefined) {
        const event = directoryEvent(system, this.clock.now(), 'PolicyAdopted', {
          version: policy.version,
          policy,
        });
        return { events: [event], result: undefined };
      }
      const same = canonicalJson(recorded) === canonicalJson(JSON.parse(JSON.stringify(policy)));
      return {
        events: [],
        result: same
          ? undefined
          : `policy version ${policy.version} is already recorded with different content: give the edited policy a new "version"`,
      };
    });
    if (conflict !== undefined)
      return err(policyInvalid(conflict, [{ path: 'version', message: conflict }]));
    this.#parsed.set(policy.version, policy);
    return ok({
      current: policy,
      byVersion: (version) => this.#byVersion(version),
      refresh: async () => {
        await this.#stream.refresh();
      },
    });
  }

  #byVersion(version: string): Policy | undefined {
    const cached = this.#parsed.get(version);
    if (cached !== undefined) return cached;
    const recorded = this.#stream.state.get(version);
    if (recorded === undefined) return undefined;
    const parsed = parsePolicy(recorded);
    if (!parsed.ok)
      throw new Error(`recorded policy ${version} no longer parses: ${parsed.error.message}`);
    this.#parsed.set(version, parsed.value);
    return parsed.value;
  }
}
