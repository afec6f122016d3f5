import type { Result } from './result.js';

/** What a command decided: the events to record and the state they lead to. */
export interface Decision<State, Event> {
  readonly events: readonly Event[];
  /**
   * The state after `events`: the decider evolved them already (to check that each is
   * accepted), so a caller that keeps the state need not evolve them again.
   */
  readonly next: State;
}

/**
 * A stream's rules as three pure functions, in the shape of Emmett's decider: the state before
 * any event, how one event changes the state, and what a command records, or why it is
 * refused. `Context` is what a decision may read besides the state (the instant, the policy).
 * Replaying a stream is `events.reduce(evolve, initialState())`.
 */
export interface Decider<State, Command, Event, Context> {
  readonly initialState: () => State;
  readonly evolve: (state: State, event: Event) => State;
  readonly decide: (
    command: Command,
    state: State,
    context: Context,
  ) => Result<Decision<State, Event>>;
}
