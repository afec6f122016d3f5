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

  /**
   * Records `policy` if its version is new, and returns the registry of every recorded version.
   * The policy in force is the one the log adopted last, whatever file a process was started
   * with: a process started with an older version follows the log (`following` says so), and
   * every process learns of a newer adoption within `refreshMs` of its next open.
   */
  async adopt(policy: Policy, refreshMs = 5_000): Promise<Result<PolicyRegistry>> {
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
    let refreshedAt = this.clock.now();
    const inForce = () => {
      const latest = this.#latest();
      return (latest === undefined ? undefined : this.#byVersion(latest)) ?? policy;
    };
    const current = inForce();
    return ok({
      get current() {
        return inForce();
      },
      byVersion: (version) => this.#byVersion(version),
      refresh: async ({ force = false } = {}) => {
        const now = this.clock.now();
        if (!force && now - refreshedAt < refreshMs) return;
        refreshedAt = now;
        await this.#stream.refresh();
      },
      ...(current.version === policy.version
        ? {}
        : {
            following: `this process was started with policy ${policy.version}, but the log adopted ${current.version} after it: ${current.version} is in force (give a new policy a new version to adopt it)`,
          }),
    });
  }

  /** The version adopted last (recorded versions are kept in the order of their adoption). */
  #latest(): string | undefined {
    let last: string | undefined;
    for (const version of this.#stream.state.keys()) last = version;
    return last;
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
