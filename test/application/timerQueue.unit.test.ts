import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timerId } from '../../src/application/timerBackend.js';
import { TimerQueue } from '../../src/application/timerQueue.js';
import { compareTimers, timerKinds, type CaseTimer } from '../../src/domain/case/caseTimers.js';

const timer = fc.record({
  caseId: fc.constantFrom('a', 'b', 'c', 'd'),
  kind: fc.constantFrom(...timerKinds),
  revision: fc.integer({ min: 0, max: 5 }),
  dueAt: fc.integer({ min: 0, max: 20 }),
});
const op = fc.oneof(
  fc.record({ add: timer }),
  fc.record({ remove: timer }),
  fc.record({ pop: fc.integer({ min: 0, max: 20 }) }),
);

describe('timer queue', () => {
  it('behaves like a set of identities popped in firing order (due, case, kind)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const queue = new TimerQueue();
        const model = new Map<string, CaseTimer>();
        for (const o of ops) {
          if ('add' in o) {
            const fresh = !model.has(timerId(o.add));
            expect(queue.add(o.add)).toBe(fresh);
            if (fresh) model.set(timerId(o.add), o.add);
          } else if ('remove' in o) {
            expect(queue.remove(o.remove)).toBe(model.delete(timerId(o.remove)));
          } else {
            const expected = [...model.values()].sort(compareTimers)[0];
            const due = expected !== undefined && expected.dueAt <= o.pop ? expected : undefined;
            expect(queue.popDue((d) => d <= o.pop)).toEqual(due);
            if (due !== undefined) model.delete(timerId(due));
          }
          expect(queue.list()).toEqual([...model.values()].sort(compareTimers));
          expect(queue.size).toBe(model.size);
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
