import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/memoryEventStore.js';
import { PolicyLog } from '../../src/application/policyLog.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { defaultPolicy } from '../../src/domain/policy/defaultPolicy.js';
import type { Policy } from '../../src/domain/policy/policy.js';
import { parsed } from '../specs/caseCommands.js';
import { servicesWith } from '../specs/servicesSpec.js';

const version = (v: string): Policy => ({ ...defaultPolicy, version: v });
const start = Date.parse('2026-11-30T02:00:00Z');

describe('the policy in force is the one the log adopted last', () => {
  it('records a new version and puts it in force', async () => {
    const store = new MemoryEventStore();
    const adopted = await new PolicyLog(store, new VirtualClock(start)).adopt(version('v1'));
    expect(adopted.ok && adopted.value.current.version).toBe('v1');
    expect(adopted.ok && adopted.value.following).toBeUndefined();
  });

  it('refuses a recorded version with other content', async () => {
    const store = new MemoryEventStore();
    const clock = new VirtualClock(start);
    await new PolicyLog(store, clock).adopt(version('v1'));
    const edited = await new PolicyLog(store, clock).adopt({
      ...version('v1'),
      autoClose: { days: 3 },
    });
    expect(!edited.ok && edited.error.code).toBe('policy-invalid');
  });

  it('a process started with an older version follows the log, and says so', async () => {
    const store = new MemoryEventStore();
    const clock = new VirtualClock(start);
    await new PolicyLog(store, clock).adopt(version('v1'));
    await new PolicyLog(store, clock).adopt(version('v2'));
    const old = await new PolicyLog(store, clock).adopt(version('v1'));
    if (!old.ok) throw old.error;
    expect(old.value.current.version).toBe('v2');
    expect(old.value.following).toMatch(/started with policy v1.*v2 is in force/);
    expect(old.value.byVersion('v1')?.version).toBe('v1');
  });

  it('a running process learns of a newer adoption at its next open after the refresh period', async () => {
    const store = new MemoryEventStore();
    const clock = new VirtualClock(start);
    const running = await servicesWith(store, clock, undefined, version('v1'));
    await servicesWith(store, clock, [], version('v2')); // another process, a newer file
    const ada = { role: 'customer-admin', tenant: 'contoso', id: 'ada' } as const;
    const open = async (caseId: string) => {
      const opened = await running.commands.handle(
        parsed({
          type: 'open',
          caseId,
          actor: ada,
          input: {
            line: 'technical',
            severity: 'C',
            category: 'sso',
            title: 't',
            contact: { name: 'Ada', email: 'ada@contoso.example' },
          },
        }),
      );
      if (!opened.ok) throw opened.error;
      return opened.value.snapshot.context.policyVersion;
    };
    expect(await open('c1')).toBe('v1'); // read the log less than 5 s ago
    clock.advanceTo(start + 5_000);
    expect(await open('c2')).toBe('v2');
    expect(running.policies.current.version).toBe('v2');
  });
});
