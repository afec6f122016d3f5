import { z } from 'zod';

/** The columns `case_queue` and `case_list` rows share, as stored (snake_case, 0/1 flags). */
interface CaseRow {
  readonly case_id: string;
  readonly tenant: string;
  readonly offering: string;
  readonly line: string;
  readonly category: string;
  readonly title: string;
  readonly severity: string;
  readonly state: string;
  readonly assignee: string | null;
  readonly opened_at: string;
  readonly updated_at: string;
  readonly revision: number;
  readonly response_due_at: string;
  readonly nonresponse_due_at: string | null;
  readonly breached: number;
  readonly at_risk: string | null;
}

/** The fields a case row answers with, in the API's style (camelCase, booleans). */
export const caseRowFields = {
  id: z.string(),
  tenant: z.string(),
  offering: z.string(),
  line: z.string(),
  category: z.string(),
  title: z.string(),
  severity: z.string(),
  state: z.string(),
  assignee: z.string().nullable(),
  openedAt: z.string(),
  updatedAt: z.string(),
  revision: z.number().int(),
  responseDueAt: z.string(),
  nonresponseDueAt: z.string().nullable(),
  breached: z.boolean(),
  atRisk: z.boolean(),
  atRiskTargets: z
    .array(z.string())
    .describe('the targets at risk (response, resolution, next-reply, periodic-update)'),
};

type CaseRowItem = z.infer<z.ZodObject<typeof caseRowFields>>;

/** A read-model row's shared columns as API fields (queue items and case-list items). */
export const caseRowItem = (row: CaseRow): CaseRowItem => ({
  id: row.case_id,
  tenant: row.tenant,
  offering: row.offering,
  line: row.line,
  category: row.category,
  title: row.title,
  severity: row.severity,
  state: row.state,
  assignee: row.assignee,
  openedAt: row.opened_at,
  updatedAt: row.updated_at,
  revision: row.revision,
  responseDueAt: row.response_due_at,
  nonresponseDueAt: row.nonresponse_due_at,
  breached: row.breached === 1,
  atRisk: row.at_risk !== null,
  atRiskTargets: row.at_risk === null ? [] : row.at_risk.split(','),
});
