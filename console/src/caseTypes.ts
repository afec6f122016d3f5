import type { RunningDeadline } from './countdown.js';

/** A row of `GET /cases`. */
export interface CaseListItem {
  readonly id: string;
  readonly tenant: string;
  readonly title: string;
  readonly severity: string;
  readonly state: string;
  readonly assignee: string | null;
  readonly revision: number;
  readonly dueAt: string | null;
  readonly breached: boolean;
  readonly atRisk: boolean;
  readonly openedAt: string;
}

/** `GET /cases/:id`: the case now (or at `at`), its running deadlines and allowed commands. */
export interface CaseRead {
  readonly id: string;
  readonly revision: number;
  readonly state: string;
  readonly tenant: string;
  readonly line: string;
  readonly category: string;
  readonly title: string;
  readonly severity: string;
  readonly assignee: string | null;
  readonly openedAt: string;
  readonly response: { readonly dueAt: string; readonly breached: boolean };
  readonly at: string;
  readonly runningDeadlines: readonly RunningDeadline[];
  readonly allowedCommands?: readonly string[];
}

/** An event of `GET /cases/:id/events` (and, with more, of `/history`). */
export interface CaseEvent {
  readonly revision: number;
  readonly type: string;
  readonly occurredAt: string;
  readonly actor: { readonly role: string; readonly id: string };
  readonly data: unknown;
}
