import type { OutcomeChange } from './outcomeChanges.js';
import type { OutcomeFigures } from './outcomeFigures.js';
import type { WhatifRefusal } from './replayRecordedCase.js';

/**
 * The honest edge of a replay, printed with every result: the log records what people did, not
 * why, so an action is replayed at its recorded instant even where it answered what the agent
 * saw then (a case shown as breached, a downgrade).
 */
export const WHATIF_NOTE =
  'Customer and agent actions are replayed at their recorded instants, whatever the candidate ' +
  'policy would have shown: an agent who answered because a case showed as breached, or a ' +
  'customer who replied to a downgrade, is assumed to have acted at the same instant. Timer ' +
  'checks (breaches, downgrades, resolutions for nonresponse, auto-closes) are re-derived from ' +
  'the policy, up to the instant of the last event read.';

/** One offering × line × severity (the severity the case was opened at in the log), or all. */
export interface WhatifGroup {
  readonly offering: string;
  readonly line: string;
  readonly severity: string;
  readonly before: OutcomeFigures;
  readonly after: OutcomeFigures;
}

/** A case whose outcome the replay changes, with each change. */
export interface ChangedCase {
  readonly caseId: string;
  readonly offering: string;
  readonly line: string;
  readonly severity: string;
  readonly changes: readonly OutcomeChange[];
}

/**
 * The result of `docket policy whatif` and `POST /policy/whatif`. `policy` is the candidate's
 * version, or `recorded`; `asOf` is the last event read (position and instant): the log is
 * read up to it, and timers are replayed up to its instant. Everything is in a fixed order
 * (groups by key, cases by id), so the same log and candidate give the same report.
 */
export interface WhatifReport {
  readonly policy: string;
  readonly asOf: { readonly position: string; readonly at: string } | null;
  readonly filter: {
    readonly from: string | null;
    readonly to: string | null;
    readonly tenant: string | null;
    readonly offering: string | null;
  };
  readonly note: string;
  readonly overall: WhatifGroup;
  readonly groups: readonly WhatifGroup[];
  readonly changed: readonly ChangedCase[];
  readonly refused: { readonly count: number; readonly commands: readonly WhatifRefusal[] };
}
