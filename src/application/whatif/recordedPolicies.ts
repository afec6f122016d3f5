import { parsePolicy, type Policy } from '../../domain/policy/policy.js';
import type { EventStore } from '../eventStore.js';
import { POLICIES_STREAM } from '../policyLog.js';

/**
 * Every policy version the log has adopted (`PolicyAdopted` in `directory-policies`), read
 * without adopting anything: the what-if never writes to the log. A version the log does not
 * hold, or whose recorded content no longer parses, is undefined.
 */
export const recordedPolicies = async (
  store: EventStore,
): Promise<(version: string) => Policy | undefined> => {
  const recorded = new Map<string, unknown>();
  for await (const event of store.readStream(POLICIES_STREAM)) {
    if (event.type !== 'PolicyAdopted') continue;
    const { version, policy } = event.data as { version: string; policy: unknown };
    recorded.set(version, policy);
  }
  const parsed = new Map<string, Policy | undefined>();
  return (version) => {
    if (!parsed.has(version)) {
      const result = recorded.has(version) ? parsePolicy(recorded.get(version)) : undefined;
      parsed.set(version, result?.ok === true ? result.value : undefined);
    }
    return parsed.get(version);
  };
};
