import { loadCase } from '../../src/application/caseStream.js';
import type { DocketServices } from '../../src/application/docketServices.js';
import type { EventStore } from '../../src/application/eventStore.js';
import { timerDispatcher } from '../../src/application/timerDispatcher.js';
import type { Actor } from '../../src/domain/actor.js';
import type { CommandType } from '../../src/domain/case/caseCommands.js';
import { compareTimers, pendingTimers, type CaseTimer } from '../../src/domain/case/caseTimers.js';
import { VirtualClock } from '../../src/domain/clock.js';
import type { DocketError } from '../../src/domain/docketError.js';
import { parseInstant } from '../../src/domain/instant.js';
import type { Policy } from '../../src/domain/policy/policy.js';
import type { Tenant } from '../../src/domain/policy/tenant.js';
import { parseCaseCommand } from '../../src/domain/case/caseCommands.js';
import { servicesWith } from './servicesSpec.js';

const ms = (at: string | number) => (typeof at === 'number' ? at : parseInstant(at));

/**
 * A deployment recording a log as the service does: real commands through the command handler
 * on `store`, a virtual clock, and every timer fired through the timer dispatcher (the check
 * command with the timer's command id) at its due instant as the clock passes it. A step at
 * the very instant a timer is due is taken first, as in `docket simulate`.
 */
export class RecordingWorld {
  readonly #clock: VirtualClock;
  #services!: DocketServices;
  readonly #cases = new Set<string>();

  private constructor(
    readonly store: EventStore,
    start: number,
  ) {
    this.#clock = new VirtualClock(start);
  }

  /** A service started at `start` on `store` with `policy` in force and `tenants` registered. */
  static async start(
    store: EventStore,
    start: string | number,
    policy: Policy,
    tenants: readonly Tenant[],
  ): Promise<RecordingWorld> {
    const world = new RecordingWorld(store, ms(start));
    world.#services = await servicesWith(store, world.#clock, tenants, policy);
    return world;
  }

  /** The service restarted at `at` with `policy` (a new version is adopted for new cases). */
  async restart(at: string | number, policy: Policy): Promise<void> {
    await this.#fireTimers((dueAt) => dueAt < ms(at));
    this.#clock.advanceTo(ms(at));
    this.#services = await servicesWith(this.store, this.#clock, [], policy);
  }

  /** `command` at `at` (timers due strictly before fire first); a refusal is returned, not thrown. */
  async at(
    at: string | number,
    actor: Actor,
    command: CommandType,
    caseId: string,
    input: unknown,
  ): Promise<DocketError | undefined> {
    if (ms(at) < this.#clock.now()) throw new Error(`${String(at)} is before the world's clock`);
    await this.#fireTimers((dueAt) => dueAt < ms(at));
    this.#clock.advanceTo(ms(at));
    const parsed = parseCaseCommand({ type: command, caseId, actor, input });
    if (!parsed.ok) return parsed.error;
    const result = await this.#services.commands.handle(parsed.value);
    if (!result.ok) return result.error;
    this.#cases.add(caseId);
    return undefined;
  }

  /** Lets the clock run to `at`, firing every timer due until then (inclusive). */
  async until(at: string | number): Promise<void> {
    await this.#fireTimers((dueAt) => dueAt <= ms(at));
    this.#clock.advanceTo(ms(at));
  }

  async #fireTimers(isDue: (dueAt: number) => boolean): Promise<void> {
    const fire = timerDispatcher(this.#services.commands, this.#clock);
    for (;;) {
      const due: CaseTimer[] = [];
      for (const caseId of this.#cases) {
        const { snapshot } = await loadCase(this.#services.store, caseId);
        if (snapshot !== undefined)
          due.push(...pendingTimers(snapshot).filter((t) => isDue(t.dueAt)));
      }
      const next = due.sort(compareTimers)[0];
      if (next === undefined) return;
      this.#clock.advanceTo(next.dueAt);
      await fire(next);
      const after = await loadCase(this.#services.store, next.caseId);
      if (after.snapshot?.revision === next.revision)
        throw new Error(`timer ${next.kind} of ${next.caseId} recorded nothing`);
    }
  }
}
