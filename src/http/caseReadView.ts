import { z } from 'zod';
import { commandTypes } from '../domain/case/caseCommands.js';
import { caseViewSchema } from './caseView.js';

const runningDeadlineSchema = z.object({
  kind: z.string(),
  dueAt: z.string(),
  leftMs: z.number().describe('wall-clock milliseconds until due (negative: overdue)'),
  businessLeftMs: z.number().describe('business milliseconds until due on its calendar'),
  calendar: z.string(),
  windows: z
    .array(z.object({ start: z.string(), end: z.string() }))
    .describe("the calendar's next open windows until due: a countdown stops outside them"),
});

/** `GET /cases/:id`: the case, the deadlines running at `at` and what the caller may do now. */
export const caseReadSchema = caseViewSchema
  .extend({
    at: z.string().describe('the instant the case is shown at (now, if not asked)'),
    runningDeadlines: z.array(runningDeadlineSchema),
    allowedCommands: z
      .array(z.enum(commandTypes))
      .optional()
      .describe('what the caller may do now (absent when `at` is asked)'),
  })
  .meta({ id: 'CaseRead' });
