import { z } from 'zod';
import { actorSchema } from '../domain/actor.js';
import { commandTypes, type CommandType } from '../domain/case/caseCommands.js';
import { isoInstantSchema, parseInstant } from '../domain/instant.js';
import { tenantSchema } from '../domain/policy/tenant.js';

/**
 * A `docket simulate` scenario: tenants, then steps in time order (instant, command, case,
 * actor, input), and optionally an instant to run the timers up to.
 */
export const scenarioSchema = z
  .strictObject({
    /** A path to a policy file (resolved by the caller) or an inline policy; default: built-in. */
    policy: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    tenants: z.array(tenantSchema).default([]),
    steps: z.array(
      z.strictObject({
        at: isoInstantSchema,
        command: z.enum(commandTypes as [CommandType, ...CommandType[]]),
        case: z.string().min(1).max(200),
        actor: actorSchema,
        input: z.unknown().optional(),
      }),
    ),
    until: isoInstantSchema.optional(),
  })
  .superRefine((scenario, ctx) => {
    let previous = -Infinity;
    scenario.steps.forEach((step, i) => {
      const at = parseInstant(step.at);
      if (at < previous) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'at'],
          message: 'steps must be in time order',
        });
      }
      previous = at;
    });
    if (scenario.until !== undefined && parseInstant(scenario.until) < previous) {
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'until is before the last step' });
    }
    const ids = new Set<string>();
    scenario.tenants.forEach((tenant, i) => {
      if (ids.has(tenant.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tenants', i, 'id'],
          message: `duplicate tenant ${tenant.id}`,
        });
      }
      ids.add(tenant.id);
    });
  });
export type Scenario = z.infer<typeof scenarioSchema>;
