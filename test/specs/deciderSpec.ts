import { expect } from 'vitest';
import type { Decider, Decision } from '../../src/domain/decider.js';
import type { DocketError, ErrorCode } from '../../src/domain/docketError.js';
import type { Result } from '../../src/domain/result.js';

/** An expected event: its type, and the data fields to check (a partial match). */
export interface ExpectedEvent {
  readonly type: string;
  readonly data?: Record<string, unknown>;
}

/** Then these events, nothing, or this refusal: the assertions on one decision. */
export const outcomeOf = <State, Event extends { readonly type: string; readonly data: unknown }>(
  result: Result<Decision<State, Event>>,
) => ({
  result,
  /** The decided events match, in order (each given as a partial: type and data to check). */
  then: (expected: readonly ExpectedEvent[]): Decision<State, Event> => {
    if (!result.ok)
      throw new Error(`expected events, got error ${result.error.code}: ${result.error.message}`);
    expect(result.value.events.map((e) => e.type)).toEqual(expected.map((e) => e.type));
    expected.forEach((e, i) => {
      if (e.data !== undefined) expect(result.value.events[i]?.data).toMatchObject(e.data);
    });
    return result.value;
  },
  /** Accepted, and nothing recorded (a check whose condition no longer holds). */
  thenNothing: (): Decision<State, Event> => {
    if (!result.ok)
      throw new Error(
        `expected no events, got error ${result.error.code}: ${result.error.message}`,
      );
    expect(result.value.events).toEqual([]);
    return result.value;
  },
  thenRefused: (code: ErrorCode, message?: RegExp): DocketError => {
    if (result.ok)
      throw new Error(
        `expected ${code}, got events ${result.value.events.map((e) => e.type).join(', ')}`,
      );
    expect(result.error.code).toBe(code);
    if (message !== undefined) expect(result.error.message).toMatch(message);
    return result.error;
  },
});

/**
 * Given these events, when this command, then these events (or this refusal): the
 * given/when/then helper for any decider, in the manner of Emmett's DeciderSpecification.
 */
export const specFor = <
  State,
  Command,
  Event extends { readonly type: string; readonly data: unknown },
  Context,
>(
  decider: Decider<State, Command, Event, Context>,
) => ({
  given: (events: readonly Event[]) => {
    const state = events.reduce(decider.evolve, decider.initialState());
    return {
      state,
      when: (command: Command, context: Context) =>
        outcomeOf(decider.decide(command, state, context)),
    };
  },
});
