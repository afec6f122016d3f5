import type { FastifyInstance } from 'fastify';
import type { CaseTenancy } from '../application/caseTenancy.js';
import { CASE_ID_PATTERN } from '../domain/case/stream/caseStreamId.js';
import { tokenRoles } from '../application/tokenRegistry.js';
import type { ActorRole } from '../domain/actor.js';
import { canSeeCase, roleRefusal } from '../domain/case/caseAccess.js';
import { notFound } from '../domain/docketError.js';

/** Who may use a route, declared on the route (`config.access`) and enforced in one place. */
export interface RouteAccess {
  /** The roles that may ever use the route: anyone else gets 403, whatever the target. */
  readonly roles: readonly ActorRole[];
  /**
   * The route is about the case named by its `:id`: a case that does not exist and a case the
   * caller may not see (another tenant's) get the same 404, before any state or input check.
   */
  readonly case?: boolean;
  /** How a refusal names what was refused. @defaultValue the route, as `METHOD /path` */
  readonly what?: string;
}

/** Routes any authenticated caller may use (they hold no tenant's data, or filter by tenant). */
export const anyCaller: RouteAccess = { roles: tokenRoles };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

/**
 * The refusal order of every route, after authentication: may this role ever use this route
 * (403)? Does the case exist and belong to the caller's tenant (404 for both)? Only then do the
 * route's own input and state checks run. Every route that is not public declares its `access`:
 * one that does not fails at start-up. A request that cannot be read at all (a body too
 * large, of the wrong media type, or not JSON) is refused before this, alike for everyone.
 */
export const routeAccess = (app: FastifyInstance, cases: CaseTenancy): void => {
  // Every route registered from here on that is not public must say who may use it.
  app.addHook('onRoute', (route) => {
    if (route.config?.public === true || route.config?.access !== undefined) return;
    throw new Error(`route ${String(route.method)} ${route.url} declares no access`);
  });
  app.addHook('preValidation', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined) return;
    const actor = request.actor;
    if (!access.roles.includes(actor.role)) {
      throw roleRefusal(
        actor.role,
        access.roles,
        access.what ?? `${request.method} ${request.routeOptions.url ?? ''}`,
      );
    }
    if (access.case !== true) return;
    const id = (request.params as { id?: unknown }).id;
    // A malformed id names no case of anyone's: the route's validation refuses it (400).
    if (typeof id !== 'string' || !CASE_ID_PATTERN.test(id)) return;
    const tenant = await cases.tenantOf(id);
    if (tenant === undefined || !canSeeCase(actor, tenant)) throw notFound(`case ${id} not found`);
  });
};
