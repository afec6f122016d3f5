import { createHmac, randomBytes } from 'node:crypto';
import type { Actor } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import { directoryEvent } from './directoryEvent.js';
import { isWrongExpectedRevision, type EventStore } from './eventStore.js';

export const SECRETS_STREAM = 'directory-secrets';
const SECRET_CREATED = 'CaseIdSecretCreated';

const engine: Actor = { role: 'admin', id: 'docket' };

/**
 * New case ids, which no client can guess or compute: random, or — for an open sent with an
 * `Idempotency-Key`, whose retries must find the case the first attempt opened — an HMAC of the
 * token and key under a secret of the deployment. The secret is made once, by the first
 * process to start on a store, and kept in the log (`directory-secrets`), so every process of
 * a fleet derives the same ids; whoever can read the log can read every case id anyway.
 */
export class CaseIds {
  readonly #secret: Buffer;

  private constructor(secret: Buffer) {
    this.#secret = secret;
  }

  /** The store's case-id secret, made now if this is the first process on the store. */
  static async load(store: EventStore, clock: Clock): Promise<CaseIds> {
    for (let attempt = 0; attempt < 2; attempt++) {
      let secret: string | undefined;
      for await (const event of store.readStream(SECRETS_STREAM)) {
        if (event.type === SECRET_CREATED) secret ??= (event.data as { key: string }).key;
      }
      if (secret !== undefined) return new CaseIds(Buffer.from(secret, 'base64'));
      const key = randomBytes(32).toString('base64');
      try {
        await store.append(
          SECRETS_STREAM,
          [directoryEvent(engine, clock.now(), SECRET_CREATED, { key })],
          { expectedRevision: 'no-stream' },
        );
        return new CaseIds(Buffer.from(key, 'base64'));
      } catch (error) {
        // Another process made it first: read theirs.
        if (!isWrongExpectedRevision(error)) throw error;
      }
    }
    throw new Error(`${SECRETS_STREAM} could not be read back`);
  }

  /** A fresh case id: `c` and 20 random hex digits. */
  random(): string {
    return `c${randomBytes(10).toString('hex')}`;
  }

  /** The case id an open with this token and key gets, every time it is retried. */
  forKey(actor: Actor, key: string): string {
    const scope = actor.tokenId ?? `${actor.role}:${actor.id}`;
    const mac = createHmac('sha256', this.#secret).update(`case\u0000${scope}\u0000${key}`);
    return `c${mac.digest('hex').slice(0, 20)}`;
  }
}
