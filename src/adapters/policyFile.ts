import { readFileSync } from 'node:fs';
import { defaultPolicy } from '../domain/policy/defaultPolicy.js';
import { policyInvalid } from '../domain/docketError.js';
import { parsePolicy, type Policy } from '../domain/policy/policy.js';
import { err, type Result } from '../domain/result.js';

/** Parses a policy given inline (an object) or as JSON text; errors name the path in the file. */
export const policyFromJson = (text: string, source: string): Result<Policy> => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return err(
      policyInvalid(`${source} is not valid JSON: ${(error as Error).message}`, [
        { path: '(root)', message: 'not valid JSON' },
      ]),
    );
  }
  const parsed = parsePolicy(json);
  if (parsed.ok) return parsed;
  return err(policyInvalid(`${source}: ${parsed.error.message}`, parsed.error.issues));
};

/** Reads a policy file; `undefined` path → the built-in default policy. */
export const readPolicyFile = (path: string | undefined): Result<Policy> => {
  if (path === undefined) return { ok: true, value: defaultPolicy };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return err(
      policyInvalid(
        `cannot read policy file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        [],
      ),
    );
  }
  return policyFromJson(text, path);
};
