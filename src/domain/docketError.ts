/**
 * The closed set of errors Docket reports to callers. Every error has a stable `code`
 * (part of the public HTTP/CLI interface) and a human message; validation errors also
 * name the field paths that failed.
 */
export const ErrorCode = {
  validation: 'validation',
  forbidden: 'forbidden',
  notFound: 'not-found',
  invalidTransition: 'invalid-transition',
  conflict: 'conflict',
  unauthenticated: 'unauthenticated',
  severityNotOffered: 'severity-not-offered',
  policyInvalid: 'policy-invalid',
  idempotencyKeyReused: 'idempotency-key-reused',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One failed field: `path` is the dotted path in the input (or policy file). */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

export class DocketError extends Error {
  readonly code: ErrorCode;
  readonly issues: readonly FieldIssue[];

  constructor(code: ErrorCode, message: string, issues: readonly FieldIssue[] = []) {
    super(message);
    this.name = 'DocketError';
    this.code = code;
    this.issues = issues;
  }

  toJSON(): { code: ErrorCode; message: string; issues?: readonly FieldIssue[] } {
    return this.issues.length > 0
      ? { code: this.code, message: this.message, issues: this.issues }
      : { code: this.code, message: this.message };
  }
}

export const isDocketError = (value: unknown): value is DocketError => value instanceof DocketError;

export const validationError = (message: string, issues: readonly FieldIssue[] = []) =>
  new DocketError(ErrorCode.validation, message, issues);
export const forbidden = (message: string) => new DocketError(ErrorCode.forbidden, message);
export const notFound = (message: string) => new DocketError(ErrorCode.notFound, message);
export const invalidTransition = (message: string) =>
  new DocketError(ErrorCode.invalidTransition, message);
export const severityNotOffered = (message: string) =>
  new DocketError(ErrorCode.severityNotOffered, message);
export const idempotencyKeyReused = (message: string) =>
  new DocketError(ErrorCode.idempotencyKeyReused, message);
export const policyInvalid = (message: string, issues: readonly FieldIssue[]) =>
  new DocketError(ErrorCode.policyInvalid, message, issues);
