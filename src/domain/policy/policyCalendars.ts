import { compileCalendar, type BusinessCalendar } from './businessCalendar.js';
import type { Policy } from './policy.js';

const compiled = new WeakMap<Policy, Map<string, BusinessCalendar>>();

/** The compiled calendar `id` of a policy, compiled once per policy object. */
export const policyCalendar = (policy: Policy, id: string): BusinessCalendar => {
  let calendars = compiled.get(policy);
  if (calendars === undefined) {
    calendars = new Map();
    compiled.set(policy, calendars);
  }
  let calendar = calendars.get(id);
  if (calendar === undefined) {
    const definition = policy.calendars[id];
    // A parsed policy references only calendars it defines: this is a programming error.
    if (definition === undefined) throw new Error(`policy ${policy.version} has no calendar ${id}`);
    calendar = compileCalendar(definition);
    calendars.set(id, calendar);
  }
  return calendar;
};
