import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Actor } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import { notFound, validationError } from '../domain/docketError.js';
import { formatInstant } from '../domain/instant.js';
import { mailLanguageSchema, type MailLanguage } from '../domain/mailLanguage.js';
import { err, ok, type Result } from '../domain/result.js';
import { toFieldIssues } from '../domain/zodIssues.js';
import { directoryEvent } from './directoryEvent.js';
import { DirectoryStream, type DirectoryFold } from './directoryStream.js';
import type { EventStore } from './eventStore.js';

export const TOKENS_STREAM = 'directory-tokens';

/** Roles a token can carry: everyone but the engine's own `timer`. */
export const tokenRoles = [
  'customer-admin',
  'customer-user',
  'agent',
  'auditor',
  'reporter',
  'admin',
] as const;

export const tokenRequestSchema = z
  .strictObject({
    role: z.enum(tokenRoles),
    tenant: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a tenant id')
      .optional(),
    name: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,99}$/, 'letters, digits, space . _ @ - (at most 100)')
      .optional(),
    /** Where the person gets e-mail notifications (customer admins, agents). */
    email: z.email().max(254).optional(),
    /** The language of those e-mails; the tenant's, else English, when absent. */
    language: mailLanguageSchema.optional(),
  })
  .superRefine((t, ctx) => {
    const customer = t.role === 'customer-admin' || t.role === 'customer-user';
    if (customer && t.tenant === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['tenant'],
        message: `a ${t.role} token needs a tenant`,
      });
    if (!customer && t.tenant !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['tenant'],
        message: `a ${t.role} token has no tenant`,
      });
  });
export type TokenRequest = z.infer<typeof tokenRequestSchema>;

/** What the registry keeps of a token: never the secret, only its SHA-256. */
export interface TokenInfo {
  readonly tokenId: string;
  readonly role: TokenRequest['role'];
  readonly tenant?: string | undefined;
  readonly name?: string | undefined;
  readonly email?: string | undefined;
  readonly language?: MailLanguage | undefined;
  readonly issuedAt: string;
  readonly revoked: boolean;
}

interface TokenState {
  readonly byHash: Map<string, TokenInfo>;
  readonly byId: Map<string, { hash: string; info: TokenInfo }>;
}

/**
 * `TokenIssued` version 2 may carry the person's `email` and `language` (e-mail
 * notifications); version 1, written before, reads as a person without either.
 */
const TOKEN_ISSUED_VERSION = 2;

const hashToken = (secret: string) => createHash('sha256').update(secret).digest('hex');

const tokensFold: DirectoryFold<TokenState> = {
  initialState: () => ({ byHash: new Map(), byId: new Map() }),
  evolve: (state, { type, data }) => {
    if (type === 'TokenIssued') {
      const { hash, ...info } = data as TokenInfo & { hash: string };
      const token = { ...info, revoked: false };
      state.byHash.set(hash, token);
      state.byId.set(info.tokenId, { hash, info: token });
    } else if (type === 'TokenRevoked') {
      const entry = state.byId.get((data as { tokenId: string }).tokenId);
      if (entry !== undefined) {
        const info = { ...entry.info, revoked: true };
        state.byHash.set(entry.hash, info);
        state.byId.set(info.tokenId, { hash: entry.hash, info });
      }
    }
    return state;
  },
};

/** The actor a token acts as: the token itself, named by its name (or id), with role and tenant. */
export const tokenActor = (info: TokenInfo): Actor => {
  const id = info.name ?? info.tokenId;
  const { tokenId } = info;
  return info.role === 'customer-admin' || info.role === 'customer-user'
    ? { role: info.role, id, tenant: info.tenant ?? '', tokenId }
    : { role: info.role, id, tokenId };
};

export interface TokenRegistryOptions {
  /**
   * How stale the in-memory copy may get before an authentication re-reads the stream (how
   * soon a revocation made by another process takes effect).
   * @defaultValue 5000
   */
  readonly refreshMs?: number;
  /** Whether a customer token's tenant exists. */
  readonly tenantExists: (id: string) => Promise<boolean>;
}

/**
 * Bearer API tokens, stored hashed as events in `directory-tokens`. A token is shown once, when
 * issued; the log keeps only its SHA-256.
 */
export class TokenRegistry {
  readonly #stream: DirectoryStream<TokenState>;
  readonly #refreshMs: number;
  #refreshedAt = Number.NEGATIVE_INFINITY;

  constructor(
    store: EventStore,
    private readonly clock: Clock,
    private readonly options: TokenRegistryOptions,
  ) {
    this.#stream = new DirectoryStream(store, TOKENS_STREAM, tokensFold);
    this.#refreshMs = options.refreshMs ?? 5_000;
  }

  /** The actor for a presented token, or undefined if it is unknown or revoked. */
  async authenticate(secret: string): Promise<Actor | undefined> {
    const hash = hashToken(secret);
    let info = this.#stream.state.byHash.get(hash);
    const now = this.clock.now();
    // Unknown tokens re-read at most every 250 ms, so guessing cannot turn into a read per request.
    const due = info === undefined ? 250 : this.#refreshMs;
    if (now - this.#refreshedAt >= due) {
      this.#refreshedAt = now;
      info = (await this.#stream.refresh()).byHash.get(hash);
    }
    return info === undefined || info.revoked ? undefined : tokenActor(info);
  }

  async issue(by: Actor, request: unknown): Promise<Result<{ token: string; info: TokenInfo }>> {
    const parsed = tokenRequestSchema.safeParse(request);
    if (!parsed.success)
      return err(validationError('invalid token request', toFieldIssues(parsed.error)));
    const { tenant } = parsed.data;
    if (tenant !== undefined && !(await this.options.tenantExists(tenant))) {
      return err(
        validationError(`tenant ${tenant} is not registered`, [
          { path: 'tenant', message: 'register the tenant first (POST /tenants)' },
        ]),
      );
    }
    const issued = await this.#issue(by, parsed.data, false);
    if (issued === undefined) throw new Error('a token was not issued');
    return ok(issued);
  }

  /**
   * On a store that has never held a token, issues the first admin token and returns it;
   * otherwise (or if another process won the race) returns undefined.
   */
  async bootstrapAdmin(): Promise<string | undefined> {
    const result = await this.#issue(
      { role: 'admin', id: 'docket' },
      { role: 'admin', name: 'admin' },
      true,
    );
    return result?.token;
  }

  async revoke(by: Actor, tokenId: string): Promise<Result<TokenInfo>> {
    const outcome = await this.#stream.append((state) => {
      const entry = state.byId.get(tokenId);
      if (entry === undefined) return { events: [], result: undefined };
      const events = entry.info.revoked
        ? []
        : [directoryEvent(by, this.clock.now(), 'TokenRevoked', { tokenId })];
      return { events, result: entry.info.tokenId };
    });
    const entry = outcome === undefined ? undefined : this.#stream.state.byId.get(outcome);
    return entry === undefined ? err(notFound(`token ${tokenId} not found`)) : ok(entry.info);
  }

  async list(): Promise<TokenInfo[]> {
    const state = await this.#stream.refresh();
    return [...state.byId.values()].map((e) => e.info);
  }

  /** Issues a token; with `onlyIfFirst`, only on a registry that has never held one. */
  async #issue(
    by: Actor,
    request: TokenRequest,
    onlyIfFirst: boolean,
  ): Promise<{ token: string; info: TokenInfo } | undefined> {
    const token = `dkt_${randomBytes(32).toString('base64url')}`;
    const now = this.clock.now();
    const info: TokenInfo = {
      tokenId: randomUUID(),
      role: request.role,
      ...(request.tenant !== undefined ? { tenant: request.tenant } : {}),
      ...(request.name !== undefined ? { name: request.name } : {}),
      ...(request.email !== undefined ? { email: request.email } : {}),
      ...(request.language !== undefined ? { language: request.language } : {}),
      issuedAt: formatInstant(now),
      revoked: false,
    };
    return this.#stream.append((state) =>
      onlyIfFirst && state.byId.size > 0
        ? { events: [], result: undefined }
        : {
            events: [
              directoryEvent(
                by,
                now,
                'TokenIssued',
                { ...info, revoked: undefined, hash: hashToken(token) },
                { schemaVersion: TOKEN_ISSUED_VERSION },
              ),
            ],
            result: { token, info },
          },
    );
  }
}
