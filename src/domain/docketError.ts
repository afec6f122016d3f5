/**
 * Docket's errors, in two kinds with a stable `code` each:
 *
 * - **Refusals** (`DocketError`): a caller's request is not carried out, and the caller must
 *   branch on why. The core returns them in a `Result`; the HTTP API and the CLI report them
 *   with their `code`, which is part of the public interface (docs/api.md).
 * - **Faults** (`DocketFault`): something is wrong with the system itself (a history the
 *   machine cannot replay, a policy version that is not loaded, a thread that died). They are
 *   thrown, never returned, and reported as internal errors.
 *
 * Guards test the `code`, not the class: an error may come from another copy of a module or
 * be rebuilt from a worker thread's message, where `instanceof` does not hold.
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

export const FaultCode = {
  /** A case stream the machine refuses to replay (a history this build cannot read). */
  caseNotReplayable: 'case-not-replayable',
  /** A case names a policy version the registry does not hold. */
  policyVersionMissing: 'policy-version-missing',
  /** A timer delivered before its due instant (another machine's clock): deliver it again. */
  timerNotDue: 'timer-not-due',
  /** The SQLite read-model thread ended or failed while a statement waited for it. */
  sqliteThread: 'sqlite-thread',
  /** A projection's checkpoint is not where this projector left it: start again from it. */
  checkpointMoved: 'checkpoint-moved',
  /** The shared timer schedule vanished (Redis restarted empty): write it whole again. */
  timerScheduleLost: 'timer-schedule-lost',
  /** The event store cannot be reached or did not answer in time: the same call may succeed later. */
  eventStoreUnavailable: 'event-store-unavailable',
  /** The event store refused the call for a reason a retry does not change (see its `reason`). */
  eventStoreRefused: 'event-store-refused',
} as const;
export type FaultCode = (typeof FaultCode)[keyof typeof FaultCode];

/** One failed field: `path` is the dotted path in the input (or policy file). */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** A refusal: the request is not carried out, for the reason `code` names. */
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

/** A fault: the system cannot do what it should; thrown, reported as an internal error. */
export class DocketFault extends Error {
  readonly code: FaultCode;

  constructor(code: FaultCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DocketFault';
    this.code = code;
  }
}

const codeOf = (value: unknown): unknown =>
  typeof value === 'object' && value !== null ? (value as { code?: unknown }).code : undefined;

const errorCodes: ReadonlySet<unknown> = new Set(Object.values(ErrorCode));

/** Whether `value` is a refusal (by its code and shape, not its class). */
export const isDocketError = (value: unknown): value is DocketError =>
  errorCodes.has(codeOf(value)) && Array.isArray((value as { issues?: unknown }).issues);

/** Whether `value` is the fault `code`. */
export const isFault = <C extends FaultCode>(
  value: unknown,
  code: C,
): value is DocketFault & { readonly code: C } => codeOf(value) === code;

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
