import type { MessageKey } from './messages.js';

/** A form field of a command, named as the command's input (docs/api.md). */
export type Field =
  | { readonly name: string; readonly kind: 'text' | 'textarea'; readonly optional?: boolean }
  | { readonly name: string; readonly kind: 'select'; readonly options: readonly string[] }
  | { readonly name: string; readonly kind: 'rating' };

const severities = ['A', 'B', 'C'] as const;
const resolutionReasons = [
  'fixed',
  'advice-given',
  'out-of-scope-third-party',
  'out-of-scope-customer-network',
  'duplicate',
] as const;

/** The inputs of each command the console offers. */
export const commandFields: Record<string, readonly Field[]> = {
  assign: [{ name: 'agent', kind: 'text' }],
  respond: [{ name: 'message', kind: 'textarea' }],
  requestInfo: [{ name: 'message', kind: 'textarea' }],
  customerReply: [{ name: 'message', kind: 'textarea' }],
  changeSeverity: [
    { name: 'severity', kind: 'select', options: severities },
    { name: 'reason', kind: 'text' },
  ],
  addNote: [{ name: 'text', kind: 'textarea' }],
  resolve: [
    { name: 'reason', kind: 'select', options: resolutionReasons },
    { name: 'summary', kind: 'textarea' },
  ],
  withdraw: [{ name: 'reason', kind: 'text' }],
  reopen: [{ name: 'reason', kind: 'text' }],
  submitSurvey: [
    { name: 'rating', kind: 'rating' },
    { name: 'comment', kind: 'textarea', optional: true },
  ],
};

export const fieldLabel = (name: string): MessageKey => `field.${name}` as MessageKey;

/** The command's input from its form: empty optional fields left out, ratings as numbers. */
export const commandInput = (command: string, form: FormData): Record<string, unknown> => {
  const input: Record<string, unknown> = {};
  for (const field of commandFields[command] ?? []) {
    const raw = form.get(field.name);
    const value = typeof raw === 'string' ? raw : '';
    if (field.kind === 'rating') input[field.name] = Number(value);
    else if (value !== '' || !('optional' in field && field.optional === true))
      input[field.name] = value;
  }
  return input;
};
