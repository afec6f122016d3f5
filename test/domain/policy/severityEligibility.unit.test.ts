import { describe, expect, it } from 'vitest';
import { defaultPolicy, defaultPolicyDocument } from '../../../src/domain/policy/defaultPolicy.js';
import { parsePolicy } from '../../../src/domain/policy/policy.js';
import { assignSeverity } from '../../../src/domain/policy/severityEligibility.js';

const assign = (
  offering: string,
  line: string,
  requested: 'A' | 'B' | 'C',
  advancedAgreement: boolean,
) => assignSeverity(defaultPolicy, { offering, line, requested, advancedAgreement });

describe('assignSeverity', () => {
  it('caps billing A at B (line maximum)', () => {
    expect(assign('21vianet', 'billing', 'A', true)).toEqual({
      ok: true,
      value: {
        severity: 'B',
        requested: 'A',
        reason: 'line-maximum',
        explanation: 'billing cases are at most severity B',
      },
    });
  });

  it('caps presales B at C (line maximum)', () => {
    const result = assign('office365-germany', 'presales', 'B', false);
    expect(result.ok && result.value).toEqual({
      severity: 'C',
      requested: 'B',
      reason: 'line-maximum',
      explanation: 'presales cases are at most severity C',
    });
  });

  it('lowers technical A to B without an advanced agreement', () => {
    const result = assign('21vianet', 'technical', 'A', false);
    expect(result.ok && result.value).toEqual({
      severity: 'B',
      requested: 'A',
      reason: 'no-advanced-agreement',
      explanation: 'severity A needs an advanced online service agreement',
    });
  });

  it('keeps technical A with an advanced agreement', () => {
    expect(assign('business', 'technical', 'A', true)).toEqual({
      ok: true,
      value: { severity: 'A', requested: 'A' },
    });
  });

  it('keeps an eligible severity as requested', () => {
    expect(assign('21vianet', 'billing', 'C', false)).toEqual({
      ok: true,
      value: { severity: 'C', requested: 'C' },
    });
  });

  it('goes down to the next offered severity', () => {
    const doc = structuredClone(defaultPolicyDocument);
    delete doc.offerings['21vianet']!.lines['billing']!.severities.B;
    const policy = parsePolicy(doc);
    if (!policy.ok) throw policy.error;
    const result = assignSeverity(policy.value, {
      offering: '21vianet',
      line: 'billing',
      requested: 'A',
      advancedAgreement: true,
    });
    expect(result.ok && result.value).toEqual({
      severity: 'C',
      requested: 'A',
      reason: 'line-maximum',
      explanation:
        'billing cases are at most severity B; severity B is not offered on the billing line of 21vianet (offered: C)',
    });
  });

  it('never raises a severity: nothing offered at or below is severity-not-offered', () => {
    const doc = structuredClone(defaultPolicyDocument);
    delete doc.offerings['21vianet']!.lines['technical']!.severities.C;
    const policy = parsePolicy(doc);
    if (!policy.ok) throw policy.error;
    const result = assignSeverity(policy.value, {
      offering: '21vianet',
      line: 'technical',
      requested: 'C',
      advancedAgreement: true,
    });
    expect(!result.ok && result.error.code).toBe('severity-not-offered');
  });

  it('rejects unknown offerings and lines as validation errors', () => {
    const offering = assign('nope', 'technical', 'B', false);
    expect(!offering.ok && offering.error.code).toBe('validation');
    const line = assign('21vianet', 'nope', 'B', false);
    expect(!line.ok && line.error.code).toBe('validation');
    expect(!line.ok && line.error.issues).toEqual([
      {
        path: 'line',
        message: 'unknown line "nope" for offering 21vianet (known: technical, billing, presales)',
      },
    ]);
  });
});
