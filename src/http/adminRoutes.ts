import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TenantDirectory } from '../application/tenantDirectory.js';
import { tenantPatchSchema } from '../application/tenantDirectory.js';
import { tokenRequestSchema, type TokenRegistry } from '../application/tokenRegistry.js';
import { notFound } from '../domain/docketError.js';
import type { Result } from '../domain/result.js';
import { tenantSchema } from '../domain/policy/tenant.js';
import { anyCaller } from './routeAccess.js';

const tenantView = z.object({
  id: z.string(),
  offering: z.string(),
  advancedAgreement: z.boolean(),
  region: z.string().optional(),
  language: z.string().optional(),
});
const tokenView = z.object({
  tokenId: z.string(),
  role: z.string(),
  tenant: z.string().optional(),
  name: z.string().optional(),
  email: z.string().optional(),
  language: z.string().optional(),
  issuedAt: z.string(),
  revoked: z.boolean(),
});
const tenantId = z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a tenant id') });

const unwrap = <T>(result: Result<T>): T => {
  if (!result.ok) throw result.error;
  return result.value;
};
const admins = { roles: ['admin'], what: 'managing tenants and tokens' } as const;

/** Tenants and API tokens, managed by `admin` tokens (customers may read their own tenant). */
export const adminRoutes =
  (tenants: TenantDirectory, tokens: TokenRegistry): FastifyPluginAsyncZod =>
  // eslint-disable-next-line @typescript-eslint/require-await
  async (app) => {
    app.post(
      '/tenants',
      {
        config: { access: admins },
        schema: {
          summary: 'Register a tenant',
          operationId: 'registerTenant',
          tags: ['admin'],
          body: tenantSchema,
          response: { 201: tenantView },
        },
      },
      async (request, reply) =>
        reply.code(201).send(unwrap(await tenants.register(request.actor, request.body))),
    );
    app.get(
      '/tenants',
      {
        config: { access: anyCaller },
        schema: { summary: 'All tenants', tags: ['admin'], response: { 200: z.array(tenantView) } },
      },
      async (request) => {
        if (request.actor.role === 'customer-admin' || request.actor.role === 'customer-user') {
          const own = await tenants.get(request.actor.tenant);
          return own === undefined ? [] : [own];
        }
        return tenants.list();
      },
    );
    app.get(
      '/tenants/:id',
      {
        config: { access: anyCaller },
        schema: {
          summary: 'A tenant (customers: their own only)',
          tags: ['admin'],
          params: tenantId,
          response: { 200: tenantView },
        },
      },
      async (request) => {
        const actor = request.actor;
        const tenant = await tenants.get(request.params.id);
        const hidden = 'tenant' in actor && actor.tenant !== request.params.id;
        if (tenant === undefined || hidden) throw notFound(`tenant ${request.params.id} not found`);
        return tenant;
      },
    );
    app.patch(
      '/tenants/:id',
      {
        config: { access: admins },
        schema: {
          summary: "Change a tenant's agreement, region or e-mail language",
          tags: ['admin'],
          params: tenantId,
          body: tenantPatchSchema,
          response: { 200: tenantView },
        },
      },
      async (request) =>
        unwrap(await tenants.update(request.actor, request.params.id, request.body)),
    );

    app.post(
      '/tokens',
      {
        config: { access: admins },
        schema: {
          summary: 'Issue an API token (shown once)',
          operationId: 'issueToken',
          tags: ['admin'],
          body: tokenRequestSchema,
          response: { 201: tokenView.extend({ token: z.string() }) },
        },
      },
      async (request, reply) => {
        const { token, info } = unwrap(await tokens.issue(request.actor, request.body));
        return reply.code(201).send({ ...info, token });
      },
    );
    app.get(
      '/tokens',
      {
        config: { access: admins },
        schema: {
          summary: 'All API tokens, revoked ones included (never their secrets)',
          tags: ['admin'],
          response: { 200: z.array(tokenView) },
        },
      },
      async () => tokens.list(),
    );
    app.delete(
      '/tokens/:id',
      {
        config: { access: admins },
        schema: {
          summary: 'Revoke a token',
          operationId: 'revokeToken',
          tags: ['admin'],
          params: z.object({ id: z.uuid() }),
          response: { 200: tokenView },
        },
      },
      async (request) => unwrap(await tokens.revoke(request.actor, request.params.id)),
    );
  };
