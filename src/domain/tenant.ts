import { z } from 'zod';

export const tenantSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a tenant id is lower-case letters, digits and dashes'),
  offering: z.string().min(1),
  advancedAgreement: z.boolean().default(false),
  region: z.string().min(1).optional(),
});
export type Tenant = z.infer<typeof tenantSchema>;
