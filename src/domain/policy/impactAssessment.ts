import { z } from 'zod';

/** The customer's answers to the impact questions offered on `open`. */
export const impactSchema = z.strictObject({
  services: z.enum(['unusable', 'impaired', 'minimal']),
  users: z.enum(['multiple', 'one']),
  workaround: z.boolean(),
});
export type Impact = z.infer<typeof impactSchema>;
