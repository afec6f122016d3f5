import type {
  CaseCommandRequest,
  CommandDelivery,
} from '../../src/application/caseCommandHandler.js';
import { parseCaseCommand, type UncheckedCaseCommand } from '../../src/domain/case/caseCommands.js';

/**
 * A command as a test or a benchmark writes it, its input parsed as the HTTP route parses a
 * body (defaults applied); input the route would refuse throws here.
 */
export const parsed = (raw: UncheckedCaseCommand & CommandDelivery): CaseCommandRequest => {
  const command = parseCaseCommand(raw);
  if (!command.ok) throw command.error;
  return { ...raw, ...command.value };
};
