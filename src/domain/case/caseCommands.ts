import { z } from 'zod';
import type { Actor } from '../actor.js';
import { validationError } from '../docketError.js';
import { err, ok, type Result } from '../result.js';
import { toFieldIssues } from '../zodIssues.js';
import { impactSchema } from '../policy/impactAssessment.js';
import { severitySchema } from '../policy/severity.js';
import { contactSchema, resolutionReasonSchema } from './stream/caseEvents.js';

const text = (max: number) => z.string().trim().min(1).max(max);

/**
 * The inputs of every command: the same in the API, the CLI and scenarios, parsed once where a
 * command comes in (`parseCaseCommand`, or the HTTP route's schema).
 */
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
  checkSlaTargets: z.strictObject({}),
} as const;

export type CommandType = keyof typeof commandInputSchemas;
export type CommandInput<T extends CommandType> = z.infer<(typeof commandInputSchemas)[T]>;
export const commandTypes = Object.keys(commandInputSchemas) as CommandType[];

/** A command on a case, its input parsed: one union over every command type. */
export type CaseCommand = {
  [K in CommandType]: {
    readonly type: K;
    readonly caseId: string;
    readonly actor: Actor;
    readonly input: CommandInput<K>;
  };
}[CommandType];

/** A command as it arrives (a scenario step, a test), its input not parsed yet. */
export interface UncheckedCaseCommand {
  readonly type: CommandType;
  readonly caseId: string;
  readonly actor: Actor;
  readonly input?: unknown;
}

/**
 * A command from its parts, where the input is known to be of its type (a route whose schema
 * is the command's parsed it). TypeScript cannot relate the type and the input of a union by
 * itself: this is the one place that asserts it.
 */
export const caseCommand = <K extends CommandType>(
  type: K,
  caseId: string,
  actor: Actor,
  input: CommandInput<K>,
): CaseCommand => ({ type, caseId, actor, input }) as CaseCommand;

/** Parses a command's input with its schema (defaults applied); invalid input is refused. */
export const parseCaseCommand = (command: UncheckedCaseCommand): Result<CaseCommand> => {
  const parsed = commandInputSchemas[command.type].safeParse(command.input ?? {});
  if (!parsed.success) {
    return err(validationError(`invalid ${command.type} input`, toFieldIssues(parsed.error)));
  }
  return ok(caseCommand(command.type, command.caseId, command.actor, parsed.data));
};
