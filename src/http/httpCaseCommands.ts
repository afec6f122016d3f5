import type { CommandType } from '../domain/case/caseCommands.js';

/** Commands people issue over HTTP; the check commands are the timers' own. */
export const httpCaseCommands = [
  'assign',
  'respond',
  'requestInfo',
  'customerReply',
  'changeSeverity',
  'addNote',
  'resolve',
  'withdraw',
  'reopen',
  'submitSurvey',
] as const satisfies readonly CommandType[];

/** How each command's route is named in the OpenAPI document. */
export const commandDocs = {
  assign: { operationId: 'assignCase', summary: 'Assign the case to an agent (agents)' },
  respond: { operationId: 'respondToCase', summary: 'Respond to the customer (agents)' },
  requestInfo: {
    operationId: 'requestCustomerInfo',
    summary: 'Ask the customer for information: the case awaits them (agents)',
  },
  customerReply: {
    operationId: 'addCustomerReply',
    summary: "Answer an agent's request for information (customer admins)",
  },
  changeSeverity: {
    operationId: 'changeCaseSeverity',
    summary: "Change the case's severity (agents)",
  },
  addNote: {
    operationId: 'addCaseNote',
    summary: 'Add an internal note, never shown to customers (agents)',
  },
  resolve: { operationId: 'resolveCase', summary: 'Resolve the case (agents)' },
  withdraw: { operationId: 'withdrawCase', summary: 'Withdraw the case (customer admins)' },
  reopen: {
    operationId: 'reopenCase',
    summary: 'Reopen a resolved case before it closes (customer admins)',
  },
  submitSurvey: {
    operationId: 'submitCaseSurvey',
    summary: 'Rate the support the case received, once (customer admins)',
  },
} as const satisfies Record<
  (typeof httpCaseCommands)[number],
  { operationId: string; summary: string }
>;
