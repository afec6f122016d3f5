import { IANAZone } from 'luxon';
import { z } from 'zod';
import { businessDurationSchema } from './businessDuration.js';
import { calendarDefinitionSchema } from './calendarDefinition.js';
import { policyInvalid } from '../docketError.js';
import { DAY_MS } from '../instant.js';
import { err, ok, type Result } from '../result.js';
import { severities, severityRank, severitySchema } from './severity.js';
import { toFieldIssues } from '../zodIssues.js';
import { atRiskShareSchema, furtherTargetTermsSchema } from './slaTarget.js';

/** Ids of offerings, lines, calendars and categories: `21vianet`, `cn-daily`, `ad-sync`. */
const idSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'an id is lowercase letters, digits and "-" (e.g. "cn-daily")');
const textSchema = z.string().min(1, 'must not be empty');
const zoneSchema = z.string().refine((zone) => IANAZone.isValidZone(zone), {
  message: 'not an IANA time zone (for example "Asia/Shanghai")',
});

/** A calendar id, or a choice of calendar by the tenant's region. */
export const calendarRefSchema = z.union(
  [
    idSchema,
    z.strictObject({
      byRegion: z
        .record(textSchema, idSchema)
        .refine((m) => Object.keys(m).length > 0, 'byRegion needs at least one region'),
      default: idSchema.optional(),
    }),
  ],
  {
    error:
      'a calendar is a calendar id ("cn-daily") or { "byRegion": { region: calendar id }, "default"?: calendar id }',
  },
);
export type CalendarRef = z.infer<typeof calendarRefSchema>;

export const phoneSchema = z.strictObject({
  label: textSchema,
  number: textSchema,
  region: textSchema.optional(),
  note: z.string().optional(),
});
export type PolicyPhone = z.infer<typeof phoneSchema>;

/** One cell of the severity matrix: response target, its calendar, nonresponse period. */
export const severityTermsSchema = z.strictObject({
  responseTarget: businessDurationSchema,
  calendar: calendarRefSchema,
  /** "Reasonable time" for customer nonresponse, on the same calendar as the target. */
  nonresponse: businessDurationSchema,
  /** At-risk threshold of the response target: the share of its business time used. */
  responseAtRisk: atRiskShareSchema.optional(),
  /** Further targets, each on the same calendar and pausing while the case awaits the customer. */
  resolution: furtherTargetTermsSchema.optional(),
  nextReply: furtherTargetTermsSchema.optional(),
  periodicUpdate: furtherTargetTermsSchema.optional(),
  requiresAdvancedAgreement: z.boolean().default(false),
  note: z.string().optional(),
});
export type SeverityTerms = z.infer<typeof severityTermsSchema>;

export const policyLineSchema = z.strictObject({
  name: textSchema,
  languages: z.array(textSchema).min(1, 'a line needs at least one language'),
  maxSeverity: severitySchema,
  /** The line's opening hours (support directory). */
  calendar: calendarRefSchema,
  phones: z.array(phoneSchema),
  categories: z.array(idSchema),
  severities: z.strictObject({
    A: severityTermsSchema.optional(),
    B: severityTermsSchema.optional(),
    C: severityTermsSchema.optional(),
  }),
  note: z.string().optional(),
});
export type PolicyLine = z.infer<typeof policyLineSchema>;

export const policyOfferingSchema = z.strictObject({
  name: textSchema,
  /** Zone used for reporting days. */
  zone: zoneSchema,
  regions: z.array(textSchema).optional(),
  lines: z.record(idSchema, policyLineSchema),
  note: z.string().optional(),
});
export type PolicyOffering = z.infer<typeof policyOfferingSchema>;

type Path = (string | number)[];
type Report = (path: Path, message: string) => void;

const list = (items: readonly string[]) => items.join(', ');

const checkRef = (
  ref: CalendarRef,
  at: Path,
  calendarIds: readonly string[],
  offeringId: string,
  offering: PolicyOffering,
  report: Report,
) => {
  const checkId = (id: string, path: Path) => {
    if (idSchema.safeParse(id).success && !calendarIds.includes(id)) {
      report(path, `unknown calendar "${id}" (known: ${list(calendarIds)})`);
    }
  };
  if (typeof ref === 'string') return checkId(ref, at);
  for (const [region, id] of Object.entries(ref.byRegion)) {
    const path = [...at, 'byRegion', region];
    if (!offering.regions) {
      report(
        path,
        `offering ${offeringId} lists no regions, so no calendar can be chosen by region`,
      );
    } else if (!offering.regions.includes(region)) {
      report(
        path,
        `region "${region}" is not one of offering ${offeringId}'s regions (${list(offering.regions)})`,
      );
    }
    checkId(id, path);
  }
  if (ref.default !== undefined) checkId(ref.default, [...at, 'default']);
};

const checkLine = (
  line: PolicyLine,
  at: Path,
  check: (ref: CalendarRef, at: Path) => void,
  report: Report,
) => {
  check(line.calendar, [...at, 'calendar']);
  if (!line.categories.includes('other')) {
    report([...at, 'categories'], 'categories must include "other"');
  }
  line.categories.forEach((category, i) => {
    if (line.categories.indexOf(category) !== i) {
      report([...at, 'categories', i], `duplicate category "${category}"`);
    }
  });
  const offered = severities.filter((s) => line.severities[s] !== undefined);
  if (offered.length === 0) {
    report([...at, 'severities'], 'a line needs at least one severity');
  }
  for (const severity of offered) {
    const path = [...at, 'severities', severity];
    if (severityRank(severity) < severityRank(line.maxSeverity)) {
      report(
        path,
        `severity ${severity} is not allowed on a line whose maxSeverity is ${line.maxSeverity}`,
      );
    }
    check(line.severities[severity]!.calendar, [...path, 'calendar']);
  }
};

const checkOffering = (
  offeringId: string,
  offering: PolicyOffering,
  calendarIds: readonly string[],
  report: Report,
) => {
  const at = ['offerings', offeringId];
  offering.regions?.forEach((region, i) => {
    if (offering.regions?.indexOf(region) !== i)
      report([...at, 'regions', i], `duplicate region "${region}"`);
  });
  if (Object.keys(offering.lines).length === 0)
    report([...at, 'lines'], 'an offering needs at least one line');
  for (const [lineId, line] of Object.entries(offering.lines)) {
    const lineAt = [...at, 'lines', lineId];
    const check = (ref: CalendarRef, path: Path) =>
      checkRef(ref, path, calendarIds, offeringId, offering, report);
    checkLine(line, lineAt, check, report);
    line.phones.forEach((phone, i) => {
      if (
        phone.region !== undefined &&
        offering.regions &&
        !offering.regions.includes(phone.region)
      ) {
        report(
          [...lineAt, 'phones', i, 'region'],
          `region "${phone.region}" is not one of offering ${offeringId}'s regions (${list(offering.regions)})`,
        );
      }
    });
  }
};

/** The policy file: calendars, offerings, lines, severity matrix, taxonomy, auto-close. */
export const policySchema = z
  .strictObject({
    /** Recorded on every case (`CaseOpened`). */
    version: textSchema,
    note: z.string().optional(),
    calendars: z.record(idSchema, calendarDefinitionSchema),
    /** A resolved case closes itself `days` calendar days after resolution. */
    autoClose: z.strictObject({ days: z.number().positive(), note: z.string().optional() }),
    offerings: z
      .record(idSchema, policyOfferingSchema)
      .refine((o) => Object.keys(o).length > 0, 'a policy needs at least one offering'),
  })
  .superRefine((policy, ctx) => {
    const report: Report = (path, message) => ctx.addIssue({ code: 'custom', path, message });
    const calendarIds = Object.keys(policy.calendars);
    for (const [offeringId, offering] of Object.entries(policy.offerings)) {
      checkOffering(offeringId, offering, calendarIds, report);
    }
  });

export type Policy = z.infer<typeof policySchema>;

/** When a case resolved at `resolvedAt` (epoch ms) closes itself: `autoClose.days` calendar days on. */
export const autoCloseDueAt = (policy: Policy, resolvedAt: number): number =>
  resolvedAt + policy.autoClose.days * DAY_MS;
/** What a policy file may contain before defaults are applied (e.g. `closedDates` omitted). */
export type PolicyInput = z.input<typeof policySchema>;

/** Validates a policy file's content; every failure names its place in the file. */
export const parsePolicy = (input: unknown): Result<Policy> => {
  const parsed = policySchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const issues = toFieldIssues(parsed.error);
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return err(
    policyInvalid(`the policy is invalid (${issues.length} problem(s)): ${summary}`, issues),
  );
};
