import { randomUUID } from 'node:crypto';
import { CASE_MACHINE_VERSION } from '../../machines/caseMachine.js';
import type { Actor } from '../domain/actor.js';
import { currentSchemaVersion } from '../domain/caseEvents.js';
import type { CommandType } from '../domain/caseInput.js';
import type { Clock } from '../domain/clock.js';
import { decideCase } from '../domain/decideCase.js';
import { DocketError, ErrorCode, notFound, validationError } from '../domain/docketError.js';
import { formatInstant } from '../domain/instant.js';
import { rebuildCase, type CaseSnapshot } from '../domain/rebuildCase.js';
import { err, ok, type Result } from '../domain/result.js';
import type { Tenant } from '../domain/tenant.js';
import { CASE_ID_PATTERN, caseStreamId, loadCase, toMachineEvent } from './caseStream.js';
import {
  isWrongExpectedRevision,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from './eventStore.js';
import type { PolicyRegistry } from './policyRegistry.js';

export interface CaseCommandRequest {
  readonly type: CommandType;
  readonly caseId: string;
  readonly actor: Actor;
  readonly input: unknown;
  /** Makes retries idempotent: a command id the case already recorded returns the first result. */
  readonly commandId?: string | undefined;
  readonly correlationId?: string | undefined;
  readonly causationId?: string | undefined;
  /** The revision the caller saw (`If-Match`): a mismatch is a conflict, never retried. */
  readonly expectedRevision?: number | undefined;
}

export interface CaseCommandResult {
  readonly caseId: string;
  readonly snapshot: CaseSnapshot;
  /** The events this command recorded (the earlier ones, for a duplicate). */
  readonly events: readonly RecordedEvent[];
  readonly duplicate: boolean;
}

export interface CaseCommandHandlerDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly policies: PolicyRegistry;
  readonly tenant: (id: string) => Promise<Tenant | undefined>;
  /**
   * Attempts of the read–decide–append cycle when a concurrent writer got there first.
   * @defaultValue 20
   */
  readonly maxAttempts?: number;
}

/** A conflict with the revision the caller expected (or lost after bounded retries). */
export class CaseConflictError extends DocketError {
  constructor(
    readonly caseId: string,
    readonly currentRevision: number,
    message: string,
  ) {
    super(ErrorCode.conflict, message);
    this.name = 'CaseConflictError';
  }
}

/**
 * Handles one case command: validate → authorise → load and rebuild → decide → append with the
 * expected revision → return the new state. Timers and projections follow the log downstream;
 * nothing here schedules or projects.
 */
export class CaseCommandHandler {
  readonly #deps: CaseCommandHandlerDeps;

  constructor(deps: CaseCommandHandlerDeps) {
    this.#deps = deps;
  }

  async handle(request: CaseCommandRequest): Promise<Result<CaseCommandResult>> {
    if (!CASE_ID_PATTERN.test(request.caseId)) {
      return err(
        validationError(`invalid case id ${JSON.stringify(request.caseId)}`, [
          { path: 'caseId', message: 'letters, digits, . _ ~ - (at most 128)' },
        ]),
      );
    }
    const commandId = request.commandId ?? randomUUID();
    const maxAttempts = this.#deps.maxAttempts ?? 20;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt(request, commandId);
      if (outcome !== 'retry') return outcome;
      if (request.expectedRevision !== undefined || attempt >= maxAttempts) {
        const { snapshot } = await loadCase(this.#deps.store, request.caseId);
        const current = snapshot?.revision ?? -1;
        return err(
          new CaseConflictError(
            request.caseId,
            current,
            request.expectedRevision !== undefined
              ? `case ${request.caseId} is at revision ${current}, not ${request.expectedRevision}: reload it and decide again`
              : `case ${request.caseId} kept changing under this command (${attempt} attempts): try again`,
          ),
        );
      }
      // Spread the herd: concurrent losers come back at different moments.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * attempt * 2));
    }
  }

  async #attempt(
    request: CaseCommandRequest,
    commandId: string,
  ): Promise<Result<CaseCommandResult> | 'retry'> {
    const { store, clock, policies } = this.#deps;
    const { snapshot, events: history } = await loadCase(store, request.caseId);

    const earlier = history.filter((e) => e.metadata.commandId === commandId);
    if (earlier.length > 0 && snapshot !== undefined) {
      return this.#duplicate(request, history, earlier);
    }
    if (
      request.expectedRevision !== undefined &&
      snapshot !== undefined &&
      snapshot.revision !== request.expectedRevision
    ) {
      return 'retry';
    }
    if (request.expectedRevision !== undefined && snapshot === undefined) {
      return err(notFound(`case ${request.caseId} not found`));
    }

    const caseVersion = snapshot?.context.policyVersion;
    if (caseVersion !== undefined && policies.byVersion(caseVersion) === undefined) {
      await policies.refresh?.();
    }
    const now = clock.now();
    const tenantId = 'tenant' in request.actor ? request.actor.tenant : undefined;
    const tenant =
      request.type === 'open' && tenantId !== undefined
        ? await this.#deps.tenant(tenantId)
        : undefined;
    const decision = decideCase(
      snapshot,
      { type: request.type, caseId: request.caseId, actor: request.actor, input: request.input },
      {
        now,
        policy: policies.current,
        policyVersion: (v) => policies.byVersion(v),
        tenant,
      },
    );
    if (!decision.ok) return decision;
    const { events, next } = decision.value;
    if (events.length === 0 || next === undefined) {
      return snapshot === undefined
        ? err(notFound(`case ${request.caseId} not found`))
        : ok({ caseId: request.caseId, snapshot, events: [], duplicate: false });
    }

    const occurredAt = formatInstant(now);
    const metadata = {
      commandId,
      causationId: request.causationId ?? commandId,
      correlationId: request.correlationId ?? commandId,
      actor: request.actor,
      occurredAt,
      caseId: request.caseId,
      policyVersion: next.context.policyVersion,
      machineVersion: CASE_MACHINE_VERSION,
    };
    const newEvents: NewEvent[] = events.map((event) => ({
      type: event.type,
      schemaVersion: currentSchemaVersion[event.type],
      data: event.data,
      metadata,
    }));
    try {
      const appended = await store.append(caseStreamId(request.caseId), newEvents, {
        expectedRevision: snapshot?.revision ?? 'no-stream',
      });
      if (appended.duplicate) return 'retry'; // a concurrent retry of this command won: report its result
    } catch (error) {
      if (isWrongExpectedRevision(error)) return 'retry';
      throw error;
    }
    const recorded: RecordedEvent[] = [];
    for await (const event of store.readStream(caseStreamId(request.caseId), {
      fromRevision: (snapshot?.revision ?? -1) + 1,
    })) {
      recorded.push(event);
    }
    return ok({ caseId: request.caseId, snapshot: next, events: recorded, duplicate: false });
  }

  #duplicate(
    request: CaseCommandRequest,
    history: readonly RecordedEvent[],
    earlier: readonly RecordedEvent[],
  ): Result<CaseCommandResult> {
    const first = earlier[0]!.metadata.actor;
    if (first.id !== request.actor.id || first.role !== request.actor.role) {
      return err(
        validationError('this command id (Idempotency-Key) was already used by another request', [
          { path: 'commandId', message: 'use a new key for a new request' },
        ]),
      );
    }
    const lastRevision = earlier[earlier.length - 1]!.revision;
    const rebuilt = rebuildCase(history.slice(0, lastRevision + 1).map(toMachineEvent));
    if (!rebuilt.ok || rebuilt.value === undefined)
      throw new Error(`case ${request.caseId} cannot be replayed`);
    return ok({
      caseId: request.caseId,
      snapshot: rebuilt.value,
      events: earlier,
      duplicate: true,
    });
  }
}
