import { randomUUID } from 'node:crypto';
import { CASE_MACHINE_VERSION } from '../../machines/caseMachine.js';
import { authorize } from '../domain/case/caseAccess.js';
import { currentSchemaVersion } from '../domain/case/stream/caseEvents.js';
import type { CaseCommand } from '../domain/case/caseCommands.js';
import type { Clock } from '../domain/clock.js';
import { caseDecider } from '../domain/case/caseDecider.js';
import type { CaseDecision } from '../domain/case/decideCase.js';
import {
  DocketError,
  ErrorCode,
  idempotencyKeyReused,
  notFound,
  validationError,
} from '../domain/docketError.js';
import { formatInstant } from '../domain/instant.js';
import { replayCase, type CaseSnapshot } from '../domain/case/rebuildCase.js';
import { err, ok, type Result } from '../domain/result.js';
import type { Tenant } from '../domain/policy/tenant.js';
import { CaseSnapshotCache } from './caseSnapshotCache.js';
import { observeCommand, type CommandObserver } from './commandObserver.js';
import { LaneQueue } from './laneQueue.js';
import { CASE_ID_PATTERN, caseStreamId } from '../domain/case/stream/caseStreamId.js';
import { loadCase, toMachineEvent } from './caseStream.js';
import {
  isWrongExpectedRevision,
  type EventMetadata,
  type EventStore,
  type RecordedEvent,
} from './eventStore.js';
import type { PolicyRegistry } from './policyRegistry.js';

/** How a command is delivered: its ids, the revision the caller saw, a last check before appending. */
export interface CommandDelivery {
  /** Makes retries idempotent: a command id the case already recorded returns the first result. */
  readonly commandId?: string | undefined;
  readonly correlationId?: string | undefined;
  readonly causationId?: string | undefined;
  /** The revision the caller saw (`If-Match`): a mismatch is a conflict, never retried. */
  readonly expectedRevision?: number | undefined;
  /**
   * Runs once the command is decided and has events to append, before they are appended (the
   * HTTP layer records the request's `Idempotency-Key` here, so a refusal records nothing); a
   * failure refuses the command. It may run again when the append is retried.
   */
  readonly beforeAppend?: (() => Promise<Result<void>>) | undefined;
}

/** A case command (its input parsed where it came in) and how it is delivered. */
export type CaseCommandRequest = CaseCommand & CommandDelivery;

/** An event a command recorded, as the caller sees it (the store adds ids and hashes). */
export interface CommittedEvent {
  readonly revision: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

export interface CaseCommandResult {
  readonly caseId: string;
  readonly snapshot: CaseSnapshot;
  /** The events this command recorded (the earlier ones, for a duplicate). */
  readonly events: readonly CommittedEvent[];
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
  /**
   * Case snapshots kept in memory between commands (0: replay every case every time).
   * @defaultValue 10000
   */
  readonly cacheSize?: number;
  /** Told of every command handled: its outcome, duration and events (metrics). */
  readonly observer?: CommandObserver | undefined;
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

type Attempt = Result<CaseCommandResult> | 'retry';

/**
 * Handles one case command: validate → authorise → load and rebuild → decide → append with the
 * expected revision → return the new state. Timers and projections follow the log downstream;
 * nothing here schedules or projects.
 *
 * A recently used case is decided on its cached snapshot and appended with that snapshot's
 * revision, so the store confirms the guess; a conflict, a duplicate command id or a refusal
 * sends the command through the full path instead: read the stream, replay it, look for the
 * command id, decide again.
 */
export class CaseCommandHandler {
  readonly #deps: CaseCommandHandlerDeps;
  readonly #cache: CaseSnapshotCache;
  readonly #lanes = new LaneQueue();

  constructor(deps: CaseCommandHandlerDeps) {
    this.#deps = deps;
    this.#cache = new CaseSnapshotCache(deps.cacheSize ?? 10_000);
  }

  /**
   * Runs the command after any other command on the same case this handler is running: commands
   * that contend for one case inside one process queue instead of racing to append and
   * exhausting their retries. Other processes still meet the store's optimistic concurrency.
   */
  handle(request: CaseCommandRequest): Promise<Result<CaseCommandResult>> {
    const { observer } = this.#deps;
    const started = observer === undefined ? 0 : performance.now();
    const run = this.#lanes.run(request.caseId, () => this.#handle(request));
    return observer === undefined ? run : observeCommand(observer, request.type, started, run);
  }

  async #handle(request: CaseCommandRequest): Promise<Result<CaseCommandResult>> {
    if (!CASE_ID_PATTERN.test(request.caseId)) {
      return err(
        validationError(`invalid case id ${JSON.stringify(request.caseId)}`, [
          { path: 'caseId', message: 'letters, digits, . _ ~ - (at most 128)' },
        ]),
      );
    }
    const commandId = request.commandId ?? randomUUID();
    const cached = this.#cache.get(request.caseId);
    if (
      cached !== undefined &&
      (request.expectedRevision === undefined || request.expectedRevision === cached.revision)
    ) {
      const outcome = await this.#fromCache(request, commandId, cached);
      if (outcome !== 'retry') return outcome;
    }
    const maxAttempts = this.#deps.maxAttempts ?? 20;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#fromStream(request, commandId);
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

  /** The fast path: only a decision that produces events counts; anything else goes the full way. */
  async #fromCache(request: CaseCommandRequest, commandId: string, cached: CaseSnapshot) {
    const decision = await this.#decide(request, cached);
    if (!decision.ok || decision.value.events.length === 0) return 'retry';
    return this.#append(request, commandId, cached, decision.value);
  }

  async #fromStream(request: CaseCommandRequest, commandId: string): Promise<Attempt> {
    const { snapshot, events: history } = await loadCase(this.#deps.store, request.caseId);
    if (snapshot === undefined) this.#cache.delete(request.caseId);
    else this.#cache.set(request.caseId, snapshot);

    // The refusal order: who may issue this, on this case, before anything about its revision.
    const denied = authorize(request.actor, request.type, snapshot?.context, request.caseId);
    if (denied !== undefined) return err(denied);
    const earlier = history.filter((e) => e.metadata.commandId === commandId);
    if (earlier.length > 0 && snapshot !== undefined) {
      return this.#duplicate(request, history, earlier);
    }
    if (request.expectedRevision !== undefined) {
      if (snapshot === undefined) return err(notFound(`case ${request.caseId} not found`));
      if (snapshot.revision !== request.expectedRevision) return 'retry';
    }
    const decision = await this.#decide(request, snapshot);
    if (!decision.ok) return decision;
    if (decision.value.events.length === 0 || decision.value.next === undefined) {
      return snapshot === undefined
        ? err(notFound(`case ${request.caseId} not found`))
        : ok({ caseId: request.caseId, snapshot, events: [], duplicate: false });
    }
    return this.#append(request, commandId, snapshot, decision.value);
  }

  async #decide(
    request: CaseCommandRequest,
    snapshot: CaseSnapshot | undefined,
  ): Promise<Result<CaseDecision & { readonly now: number }>> {
    const { policies } = this.#deps;
    const caseVersion = snapshot?.context.policyVersion;
    if (caseVersion !== undefined && policies.byVersion(caseVersion) === undefined) {
      await policies.refresh?.({ force: true });
    } else if (request.type === 'open') {
      // A new case takes the policy the log adopted last, maybe by another process.
      await policies.refresh?.();
    }
    const tenantId = 'tenant' in request.actor ? request.actor.tenant : undefined;
    const tenant =
      request.type === 'open' && tenantId !== undefined
        ? await this.#deps.tenant(tenantId)
        : undefined;
    const now = this.#deps.clock.now();
    const decision = caseDecider.decide(request, snapshot, {
      now,
      policy: policies.current,
      policyVersion: (v) => policies.byVersion(v),
      tenant,
    });
    return decision.ok ? ok({ ...decision.value, now }) : decision;
  }

  /** Appends the decided events expecting `snapshot`'s revision; 'retry' if the case moved. */
  async #append(
    request: CaseCommandRequest,
    commandId: string,
    snapshot: CaseSnapshot | undefined,
    { events, next, now }: CaseDecision & { readonly now: number },
  ): Promise<Attempt> {
    if (next === undefined) return 'retry';
    const metadata: EventMetadata = {
      commandId,
      causationId: request.causationId ?? commandId,
      correlationId: request.correlationId ?? commandId,
      actor: request.actor,
      occurredAt: formatInstant(now),
      caseId: request.caseId,
      policyVersion: next.context.policyVersion,
      machineVersion: CASE_MACHINE_VERSION,
    };
    const allowed = await request.beforeAppend?.();
    if (allowed?.ok === false) return allowed;
    const base = snapshot?.revision ?? -1;
    const committed: CommittedEvent[] = events.map((event, i) => ({
      revision: base + 1 + i,
      type: event.type,
      schemaVersion: currentSchemaVersion[event.type],
      data: event.data,
      metadata,
    }));
    try {
      const appended = await this.#deps.store.append(caseStreamId(request.caseId), committed, {
        expectedRevision: snapshot?.revision ?? 'no-stream',
      });
      // A retry of this very command won the race: the full path reports its result.
      if (appended.duplicate) return 'retry';
    } catch (error) {
      if (!isWrongExpectedRevision(error)) throw error;
      this.#cache.delete(request.caseId);
      return 'retry';
    }
    this.#cache.set(request.caseId, next);
    return ok({ caseId: request.caseId, snapshot: next, events: committed, duplicate: false });
  }

  #duplicate(
    request: CaseCommandRequest,
    history: readonly RecordedEvent[],
    earlier: readonly RecordedEvent[],
  ): Result<CaseCommandResult> {
    const first = earlier[0]!.metadata.actor;
    const { actor } = request;
    if (first.tokenId !== actor.tokenId || first.id !== actor.id || first.role !== actor.role) {
      return err(
        idempotencyKeyReused(
          'this command id (Idempotency-Key) was already used for another request; use a new one',
        ),
      );
    }
    const lastRevision = earlier[earlier.length - 1]!.revision;
    const snapshot = replayCase(history.slice(0, lastRevision + 1).map(toMachineEvent));
    return ok({
      caseId: request.caseId,
      snapshot: snapshot!, // the earlier events are in it
      events: earlier,
      duplicate: true,
    });
  }
}
