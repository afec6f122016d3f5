import { z } from 'zod';
import { impactSchema } from '../policy/impactAssessment.js';
import { severitySchema } from '../policy/severity.js';
import { contactSchema, resolutionReasonSchema } from './stream/caseEvents.js';

const text = (max: number) => z.string().trim().min(1).max(max);

/** The inputs of every command (DESIGN.md §6): the same in the API, the CLI and scenarios. */
export const commandInputSchemas = {
  open: z.strictObject({
    line: text(50),
    severity: severitySchema,
    category: text(100),
    title: text(300),
    description: z.string().trim().max(20_000).default(''),
    contact: contactSchema,
    businessImpact: text(5_000).optional(),
    impact: impactSchema.optional(),
  }),
  assign: z.strictObject({ agent: text(200) }),
  respond: z.strictObject({ message: text(20_000) }),
  requestInfo: z.strictObject({ message: text(20_000) }),
  customerReply: z.strictObject({ message: text(20_000) }),
  changeSeverity: z.strictObject({ severity: severitySchema, reason: text(2_000) }),
  addNote: z.strictObject({ text: text(20_000) }),
  resolve: z.strictObject({
    // customer-nonresponse and withdrawn are the engine's and the customer's, not the agent's.
    reason: resolutionReasonSchema.exclude(['customer-nonresponse', 'withdrawn']),
    summary: text(20_000),
  }),
  withdraw: z.strictObject({ reason: text(2_000) }),
  reopen: z.strictObject({ reason: text(2_000) }),
  submitSurvey: z.strictObject({
    rating: z.number().int().min(1).max(5),
    comment: z.string().trim().max(5_000).optional(),
  }),
  checkResponseDeadline: z.strictObject({}),
  checkCustomerNonresponse: z.strictObject({}),
  checkAutoClose: z.strictObject({}),
} as const;

export type CommandType = keyof typeof commandInputSchemas;
export type CommandInput<T extends CommandType> = z.infer<(typeof commandInputSchemas)[T]>;
export const commandTypes = Object.keys(commandInputSchemas) as CommandType[];
