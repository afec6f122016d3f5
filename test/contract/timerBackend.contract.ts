import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  TimerNotDueError,
  timerId,
  type FireTimer,
  type TimerBackend,
} from '../../src/application/timerBackend.js';
import { compareTimers, timerKinds, type CaseTimer } from '../../src/domain/case/caseTimers.js';

export interface TimerBackendFixture {
  /**
   * A new backend on the fixture's persistent state: for BullMQ a new instance on the same
   * queue; for an in-process backend a fresh one (its restart is `reconcile` with what the
   * earlier instance held). The suite closes every backend it asks for.
   */
  backend(): TimerBackend;
  /** Removes what the fixture created; runs after the suite closed its backends. */
  cleanup(): Promise<void>;
  /**
   * For a backend on a manual clock: called with the real milliseconds that pass while the
   * suite waits, to keep that clock in step. Leave it out for a backend on the wall clock.
   */
  advance?(ms: number): void;
}

/** How long the suite keeps watching after the expected firings, to catch extra ones. */
const QUIET_MS = 300;
/** How late a firing may be and still count as "at its due instant" on a loaded machine. */
const MAX_LATENESS_MS = 2_000;

interface Firing {
  readonly id: string;
  /** `Date.now()` when the backend called fire. */
  readonly at: number;
  readonly timer: CaseTimer;
}

/**
 * The timer-backend contract: every backend (BullMQ, in-process) must pass it. Due instants are
 * wall-clock instants a few hundred milliseconds ahead, so the suite runs in a few seconds.
 */
export const timerBackendContract = (name: string, open: () => Promise<TimerBackendFixture>) =>
  describe(`timer backend contract: ${name}`, () => {
    let fixture: TimerBackendFixture;
    let opened: TimerBackend[];
    let cases: number;

    beforeEach(async () => {
      fixture = await open();
      opened = [];
      cases = 0;
    });

    afterEach(async () => {
      // close() must be idempotent: some tests closed their backend already.
      await Promise.all(opened.map((b) => b.close()));
      await fixture.cleanup();
    });

    const backend = (): TimerBackend => {
      const b = fixture.backend();
      opened.push(b);
      return b;
    };

    /** A timer of a new case due `dueInMs` from now. */
    const timer = (dueInMs: number, fields: Partial<CaseTimer> = {}): CaseTimer => ({
      caseId: `case-${++cases}`,
      kind: 'response-deadline',
      revision: 1,
      dueAt: Date.now() + dueInMs,
      ...fields,
    });

    const sleep = async (ms: number) => {
      const started = Date.now();
      await new Promise((resolve) => setTimeout(resolve, ms));
      fixture.advance?.(Date.now() - started);
    };

    const waitFor = async (condition: () => boolean, what: string, timeoutMs = 5_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
        await sleep(20);
      }
    };

    /** A fire callback that records each firing; `react` may throw to refuse or fail one. */
    const recorder = (react?: (timer: CaseTimer, nth: number) => void) => {
      const firings: Firing[] = [];
      const fire: FireTimer = (timer) => {
        const id = timerId(timer);
        firings.push({ id, at: Date.now(), timer });
        const nth = firings.filter((f) => f.id === id).length;
        return Promise.resolve().then(() => react?.(timer, nth));
      };
      const ids = () => firings.map((f) => f.id).sort();
      const fired = (...timers: CaseTimer[]) => {
        const seen = new Set(firings.map((f) => f.id));
        return timers.every((t) => seen.has(timerId(t)));
      };
      return { firings, fire, ids, fired };
    };

    const idsOf = (...timers: CaseTimer[]) => timers.map(timerId).sort();
    const sorted = (timers: readonly CaseTimer[]) => [...timers].sort(compareTimers);

    const expectOnTime = (firings: readonly Firing[]) => {
      for (const { at, timer: t } of firings) {
        expect(at, `${timerId(t)} fired before its due instant`).toBeGreaterThanOrEqual(t.dueAt);
        expect(at - t.dueAt, `${timerId(t)} fired late`).toBeLessThan(MAX_LATENESS_MS);
      }
    };

    it('fires each timer once, at or after its due instant, whether added before or after start', async () => {
      const b = backend();
      const rec = recorder();
      const before = timer(250);
      await b.apply({ add: [before], remove: [] });
      await b.start(rec.fire);
      const after = timer(300);
      await b.apply({ add: [after], remove: [] });

      await waitFor(() => rec.fired(before, after), 'both timers fire');
      await sleep(QUIET_MS);
      expect(rec.ids()).toEqual(idsOf(before, after));
      expectOnTime(rec.firings);
      expect(await b.held()).toEqual([]);
    });

    it('never fires a removed timer, removed before or after start', async () => {
      const b = backend();
      const rec = recorder();
      const removedEarly = timer(300);
      const removedLate = timer(600);
      const kept = timer(650);
      await b.apply({ add: [removedEarly, removedLate, kept], remove: [] });
      await b.apply({ add: [], remove: [removedEarly] });
      await b.start(rec.fire);
      await b.apply({ add: [], remove: [removedLate] });

      await waitFor(() => rec.fired(kept), 'the kept timer fires');
      await sleep(QUIET_MS);
      expect(rec.ids()).toEqual(idsOf(kept));
    });

    it('replacing a timer with a new revision fires only the new one, at its own due instant', async () => {
      const b = backend();
      const rec = recorder();
      await b.start(rec.fire);
      const postponedOld = timer(400, { revision: 3 });
      const broughtForwardOld = timer(700, { revision: 4 });
      await b.apply({ add: [postponedOld, broughtForwardOld], remove: [] });
      const postponed = { ...postponedOld, revision: 5, dueAt: Date.now() + 600 };
      const broughtForward = { ...broughtForwardOld, revision: 6, dueAt: Date.now() + 200 };
      await b.apply({
        add: [postponed, broughtForward],
        remove: [postponedOld, broughtForwardOld],
      });

      await waitFor(() => rec.fired(postponed, broughtForward), 'the new revisions fire');
      await sleep(Math.max(QUIET_MS, broughtForwardOld.dueAt - Date.now() + QUIET_MS));
      expect(rec.ids()).toEqual(idsOf(postponed, broughtForward));
      expectOnTime(rec.firings);
    });

    it('holds a timer added twice (in one batch, again, and through reconcile) once and fires it once', async () => {
      const b = backend();
      const rec = recorder();
      const t = timer(300);
      await b.apply({ add: [t, t], remove: [] });
      await b.apply({ add: [{ ...t }], remove: [] });
      expect(await b.reconcile([t, t])).toEqual({ added: 0, removed: 0 });
      expect(await b.held()).toEqual([t]);
      await b.start(rec.fire);

      await waitFor(() => rec.fired(t), 'the timer fires');
      await sleep(QUIET_MS);
      expect(rec.ids()).toEqual(idsOf(t));
    });

    it('fires every timer due at the same instant', async () => {
      const b = backend();
      const rec = recorder();
      const dueAt = Date.now() + 300;
      const timers = Array.from({ length: 10 }, (_, i) =>
        timerKinds.map((kind) => timer(0, { caseId: `case-same-${i}`, kind, dueAt })),
      ).flat();
      await b.apply({ add: timers, remove: [] });
      await b.start(rec.fire);

      await waitFor(() => rec.fired(...timers), `all ${timers.length} timers fire`);
      await sleep(QUIET_MS);
      expect(rec.ids()).toEqual(idsOf(...timers));
      expectOnTime(rec.firings);
    });

    it('held() reflects adds and removes; removing a timer not held is no error', async () => {
      const b = backend();
      const [x, y, z] = [timer(60_000), timer(61_000), timer(62_000, { kind: 'auto-close' })];
      expect(await b.held()).toEqual([]);
      await b.apply({ add: [x, y, z], remove: [] });
      expect(sorted(await b.held())).toEqual(sorted([x, y, z]));
      await b.apply({ add: [], remove: [y, timer(1_000)] });
      expect(sorted(await b.held())).toEqual(sorted([x, z]));
      await b.apply({ add: [x], remove: [] });
      expect(sorted(await b.held())).toEqual(sorted([x, z]));
    });

    it('reconcile adds the missing, removes the orphans and reports both counts', async () => {
      const b = backend();
      const rec = recorder();
      const [orphan, kept1, kept2, new1, new2] = [400, 450, 500, 550, 600].map((ms) => timer(ms));
      await b.apply({ add: [orphan!, kept1!, kept2!], remove: [] });

      expect(await b.reconcile([kept1!, kept2!, new1!, new2!])).toEqual({ added: 2, removed: 1 });
      expect(sorted(await b.held())).toEqual(sorted([kept1!, kept2!, new1!, new2!]));
      expect(await b.reconcile([kept1!, kept2!, new1!, new2!])).toEqual({ added: 0, removed: 0 });

      await b.start(rec.fire);
      await waitFor(() => rec.fired(kept1!, kept2!, new1!, new2!), 'the reconciled timers fire');
      await sleep(QUIET_MS);
      expect(rec.ids()).toEqual(idsOf(kept1!, kept2!, new1!, new2!));
      expectOnTime(rec.firings);
    });

    it('a restarted backend fires what was pending (also what fell due while down), nothing twice', async () => {
      const first = backend();
      const recFirst = recorder();
      const firedBefore = timer(200);
      const dueWhileDown = timer(800);
      const dueAfter = timer(1_200);
      await first.apply({ add: [firedBefore, dueWhileDown, dueAfter], remove: [] });
      await first.start(recFirst.fire);
      await waitFor(() => recFirst.fired(firedBefore), 'the first timer fires');
      const pending = await first.held();
      await first.close();
      expect(sorted(pending)).toEqual(sorted([dueWhileDown, dueAfter]));

      await sleep(Math.max(0, dueWhileDown.dueAt - Date.now() + 50));
      const second = backend();
      const recSecond = recorder();
      await second.reconcile(pending);
      await second.start(recSecond.fire);
      await waitFor(() => recSecond.fired(dueWhileDown, dueAfter), 'the pending timers fire');
      await sleep(QUIET_MS);
      expect(recFirst.ids()).toEqual(idsOf(firedBefore));
      expect(recSecond.ids()).toEqual(idsOf(dueWhileDown, dueAfter));
      const late = recSecond.firings.find((f) => f.id === timerId(dueAfter))!;
      expectOnTime([late]);
    });

    it('fires a timer refused as not yet due (clock skew) again, at or after the instant named', async () => {
      const b = backend();
      const skewMs = 400;
      const rec = recorder((t, nth) => {
        if (nth === 1) throw new TimerNotDueError(t.dueAt + skewMs);
      });
      const t = timer(200);
      await b.apply({ add: [t], remove: [] });
      await b.start(rec.fire);

      await waitFor(() => rec.firings.length >= 2, 'the refused timer fires again');
      await sleep(QUIET_MS);
      expect(rec.ids()).toEqual(idsOf(t, t));
      const again = rec.firings[1]!;
      expect(again.at).toBeGreaterThanOrEqual(t.dueAt + skewMs);
      expect(again.at - (t.dueAt + skewMs)).toBeLessThan(MAX_LATENESS_MS);
      expect(await b.held()).toEqual([]);
    });

    it('retries a firing that fails (a busy store)', async () => {
      const b = backend();
      const rec = recorder((_t, nth) => {
        if (nth === 1) throw new Error('store busy');
      });
      const t = timer(150);
      await b.apply({ add: [t], remove: [] });
      await b.start(rec.fire);

      await waitFor(() => rec.firings.length >= 2, 'the failed timer is retried', 8_000);
      await sleep(QUIET_MS);
      expect(rec.ids()).toEqual(idsOf(t, t));
      expect(await b.held()).toEqual([]);
    });
  });
