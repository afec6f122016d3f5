import type { CaseListTable } from './caseListTable.js';
import type { CaseQueueTable } from './caseQueueTable.js';
import type { SlaCasesTable } from './slaCasesTable.js';

export interface ProjectionCheckpointsTable {
  name: string;
  version: number;
  /** The log position applied up to (-1: nothing yet). */
  position: number;
  updated_at: string;
  /**
   * While a rebuild runs: the log position it must reach (the head when it began); null
   * otherwise. Kept in the database, so every process sees a rebuild, even one whose process
   * died.
   */
  rebuild_to: number | null;
}

export interface AgentWorkloadView {
  assignee: string | null;
  state: string;
  cases: number;
}

/** Every table and view of the read-model database, for Kysely's types. */
export interface ReadModelDatabase {
  case_queue: CaseQueueTable;
  case_list: CaseListTable;
  sla_cases: SlaCasesTable;
  agent_workload: AgentWorkloadView;
  projection_checkpoints: ProjectionCheckpointsTable;
}
