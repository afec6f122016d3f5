import { defaultPolicyDocument } from '../../src/domain/policy/defaultPolicy.js';
import { parsePolicy, type Policy, type PolicyInput } from '../../src/domain/policy/policy.js';

/** The built-in policy edited by `edit`, as a new version (a candidate for the what-if). */
export const candidatePolicy = (version: string, edit: (doc: PolicyInput) => void): Policy => {
  const doc = structuredClone(defaultPolicyDocument);
  doc.version = version;
  edit(doc);
  const parsed = parsePolicy(doc);
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
};
