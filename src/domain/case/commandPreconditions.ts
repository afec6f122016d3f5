import { invalidTransition, type DocketError } from '../docketError.js';
import { formatInstant } from '../instant.js';
import type { CommandType } from './caseCommands.js';
import type { CaseContext } from './stream/caseContext.js';

/**
 * What the case itself must allow for a command beyond its state (the statechart decides
 * that): the reopen window still open, no survey yet. The refusal, or undefined. The decider
 * and the list of commands allowed now ask the same question here.
 */
export const casePrecondition = (
  command: CommandType,
  context: CaseContext,
  now: number,
): DocketError | undefined => {
  if (command === 'reopen' && context.autoCloseAt !== undefined && now >= context.autoCloseAt) {
    return invalidTransition(
      `the reopen window of case ${context.caseId} ended at ${formatInstant(context.autoCloseAt)}`,
    );
  }
  if (command === 'submitSurvey' && context.surveySubmitted) {
    return invalidTransition(`a survey was already submitted for case ${context.caseId}`);
  }
  return undefined;
};
