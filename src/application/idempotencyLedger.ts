import { createHash } from 'node:crypto';
import type { Actor } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import { idempotencyKeyReused } from '../domain/docketError.js';
import { err, ok, type Result } from '../domain/result.js';
import { directoryEvent } from './directoryEvent.js';
import { canonicalJson } from './eventHash.js';
import { isWrongExpectedRevision, type EventStore } from './eventStore.js';

/** A request as the ledger compares it: the same key with another request is refused. */
export interface IdempotentRequest {
  readonly method: string;
  /** The route's pattern (`/cases/:id/respond`), not the URL. */
  readonly route: string;
  /** The case the request is about (for an open, the case it opens). */
  readonly caseId: string;
  readonly body: unknown;
}

interface KeyUsed {
  readonly tokenId: string;
  readonly fingerprint: string;
  readonly method: string;
  readonly route: string;
  readonly caseId: string;
}

const KEY_USED = 'IdempotencyKeyUsed';

const sha256 = (...parts: string[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex');

/** Keys are scoped to the token; actors without one (the engine's own) by role and name. */
const scopeOf = (actor: Actor) => actor.tokenId ?? `${actor.role}:${actor.id}`;

/** The command id a request with `key` runs as: its retries share it, other tokens never do. */
export const keyedCommandId = (actor: Actor, key: string): string =>
  sha256('command', scopeOf(actor), key).slice(0, 32);

/**
 * `Idempotency-Key`s, each scoped to the token that sent it and remembered with a fingerprint
 * of its request (method, route, case, body) in a stream of its own
 * (`directory-idempotency-<hash of token and key>`), so every process of a fleet sees it.
 *
 * A request `check`s its key first: the same key with another request is refused. The key is
 * `record`ed only once the command has been decided and is about to append (a refused request
 * records nothing), and before the append, so no command lands without its key. The command id
 * derived from the key makes a retry of the same request replay the first result.
 */
export class IdempotencyLedger {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  /** Refuses `request` if the actor's `key` was recorded for another request. */
  async check(actor: Actor, key: string, request: IdempotentRequest): Promise<Result<void>> {
    const recorded = await this.#read(this.#streamOf(actor, key));
    return recorded === undefined ? ok(undefined) : this.#compare(recorded, actor, request);
  }

  /** Records the actor's `key` for `request` (first writer wins; the same request again is fine). */
  async record(actor: Actor, key: string, request: IdempotentRequest): Promise<Result<void>> {
    const streamId = this.#streamOf(actor, key);
    const used: KeyUsed = {
      tokenId: scopeOf(actor),
      fingerprint: fingerprintOf(request),
      method: request.method,
      route: request.route,
      caseId: request.caseId,
    };
    try {
      await this.store.append(streamId, [directoryEvent(actor, this.clock.now(), KEY_USED, used)], {
        expectedRevision: 'no-stream',
      });
      return ok(undefined);
    } catch (error) {
      if (!isWrongExpectedRevision(error)) throw error;
    }
    // Another request with the same key recorded it first: this one may go on only if equal.
    const recorded = await this.#read(streamId);
    if (recorded === undefined) throw new Error(`idempotency key stream ${streamId} is empty`);
    return this.#compare(recorded, actor, request);
  }

  #streamOf(actor: Actor, key: string) {
    return `directory-idempotency-${sha256('key', scopeOf(actor), key).slice(0, 40)}`;
  }

  #compare(recorded: KeyUsed, actor: Actor, request: IdempotentRequest): Result<void> {
    if (recorded.tokenId === scopeOf(actor) && recorded.fingerprint === fingerprintOf(request)) {
      return ok(undefined);
    }
    const where = recorded.route.includes(':id') ? ` on case ${recorded.caseId}` : '';
    return err(
      idempotencyKeyReused(
        `this Idempotency-Key was first used for another request (${recorded.method} ${recorded.route}${where}); send a new key for a new request`,
      ),
    );
  }

  async #read(streamId: string): Promise<KeyUsed | undefined> {
    let used: KeyUsed | undefined;
    // Read to the end (one event), never broken off: some stores' reads must finish to close.
    for await (const event of this.store.readStream(streamId, { maxCount: 1 })) {
      if (event.type === KEY_USED) used = event.data as KeyUsed;
    }
    return used;
  }
}

const fingerprintOf = (request: IdempotentRequest): string =>
  sha256(canonicalJson([request.method, request.route, request.caseId, request.body]));
