import { z } from 'zod';

export const actorRoles = [
  'customer-admin',
  'customer-user',
  'agent',
  'auditor',
  'reporter',
  'admin',
  'timer',
] as const;
export type ActorRole = (typeof actorRoles)[number];

const id = z.string().min(1).max(200);
/** The API token the actor presented: two tokens with the same name are different actors. */
const tokenId = id.optional();

/**
 * Who issued a command: `id` is the name people read, `tokenId` the token behind it (absent for
 * the engine's own actors and in simulations). Customer roles are bound to a tenant; `timer` is
 * the engine's own scheduler, the only actor that issues check commands.
 */
export const actorSchema = z.discriminatedUnion('role', [
  z.strictObject({ role: z.literal('customer-admin'), id, tenant: id, tokenId }),
  z.strictObject({ role: z.literal('customer-user'), id, tenant: id, tokenId }),
  z.strictObject({ role: z.literal('agent'), id, tokenId }),
  z.strictObject({ role: z.literal('auditor'), id, tokenId }),
  z.strictObject({ role: z.literal('reporter'), id, tokenId }),
  z.strictObject({ role: z.literal('admin'), id, tokenId }),
  z.strictObject({ role: z.literal('timer'), id, tokenId }),
]);
export type Actor = z.infer<typeof actorSchema>;

export const timerActor: Actor = { role: 'timer', id: 'scheduler' };

export const isCustomer = (
  actor: Actor,
): actor is Extract<Actor, { role: 'customer-admin' | 'customer-user' }> =>
  actor.role === 'customer-admin' || actor.role === 'customer-user';
