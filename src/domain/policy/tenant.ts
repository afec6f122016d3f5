import { z } from 'zod';
import { validationError, type DocketError } from '../docketError.js';
import { mailLanguageSchema } from '../mailLanguage.js';
import type { Policy } from './policy.js';

export const tenantSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a tenant id is lower-case letters, digits and dashes'),
  offering: z.string().min(1),
  advancedAgreement: z.boolean().default(false),
  region: z.string().min(1).optional(),
  /** The language of the e-mail its case contacts (and admins without one of their own) get. */
  language: mailLanguageSchema.optional(),
});
export type Tenant = z.infer<typeof tenantSchema>;

/**
 * Why `tenant` does not fit its offering in `policy`, or undefined when it does: the offering
 * exists; an offering that lists regions needs one of them; one that lists none takes no region.
 * `regionGiven` (default: whether the tenant has a region) says whether the region is being set
 * now: a region stored earlier on an offering without regions does not block other changes.
 */
export const tenantOfferingError = (
  tenant: Tenant,
  policy: Policy,
  regionGiven = tenant.region !== undefined,
): DocketError | undefined => {
  const { offerings } = policy;
  const offering = Object.hasOwn(offerings, tenant.offering)
    ? offerings[tenant.offering]
    : undefined;
  if (offering === undefined) {
    return validationError(`unknown offering ${tenant.offering}`, [
      { path: 'offering', message: `one of ${Object.keys(offerings).join(', ')}` },
    ]);
  }
  const regions = offering.regions ?? [];
  const { region } = tenant;
  if (regions.length === 0) {
    if (!regionGiven || region === undefined) return undefined;
    const message = `offering ${tenant.offering} has no regions; leave region out`;
    return validationError(message, [{ path: 'region', message }]);
  }
  if (region !== undefined && regions.includes(region)) return undefined;
  const issues = [{ path: 'region', message: `one of ${regions.join(', ')}` }];
  return region === undefined
    ? validationError(`offering ${tenant.offering} needs a region`, issues)
    : validationError(
        `region ${region} is not one of offering ${tenant.offering}'s regions`,
        issues,
      );
};
