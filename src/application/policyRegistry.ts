import type { Policy } from '../domain/policy/policy.js';

/** The policy in force and the earlier versions running cases were opened under. */
export interface PolicyRegistry {
  readonly current: Policy;
  byVersion(version: string): Policy | undefined;
  /** Set when the policy in force is not the one this process was started with, and why. */
  readonly following?: string;
  /**
   * Learns versions adopted since (by another process, say); absent for a fixed set. Without
   * `force`, a registry may skip the read if it read the log very recently.
   */
  refresh?(options?: { readonly force?: boolean }): Promise<void>;
}

export const policyRegistry = (
  current: Policy,
  earlier: readonly Policy[] = [],
): PolicyRegistry => {
  const versions = new Map(earlier.map((p) => [p.version, p]));
  versions.set(current.version, current);
  return { current, byVersion: (version) => versions.get(version) };
};
