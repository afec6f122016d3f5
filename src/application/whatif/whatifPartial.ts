import { FiguresTally, type TallyData } from './outcomeFigures.js';
import type { WhatifRefusal } from './replayRecordedCase.js';
import type { ChangedCase } from './whatifReport.js';

/** An offering × line × severity: the severity the case was opened at in the log. */
export interface GroupKey {
  readonly offering: string;
  readonly line: string;
  readonly severity: string;
}

/**
 * The what-if of a range of case streams, before the report is made: per group and overall the
 * recorded and replayed tallies, and the changed cases and refused commands in stream order.
 * Plain data (a worker thread posts it to the one that merges).
 */
export interface WhatifPartial {
  readonly groups: readonly {
    readonly key: GroupKey;
    readonly before: TallyData;
    readonly after: TallyData;
  }[];
  readonly overall: { readonly before: TallyData; readonly after: TallyData };
  readonly changed: readonly ChangedCase[];
  readonly refused: readonly WhatifRefusal[];
  readonly eventsRead: number;
  readonly casesReplayed: number;
}

const groupId = ({ offering, line, severity }: GroupKey) =>
  `${offering}\u0000${line}\u0000${severity}`;

/** Adds up the tallies of cases, by group and overall, as a range is replayed (or merged). */
export class WhatifTallies {
  readonly #groups = new Map<
    string,
    { key: GroupKey; before: FiguresTally; after: FiguresTally }
  >();
  readonly overall = { before: new FiguresTally(), after: new FiguresTally() };

  /** The group's tallies, made on first use. */
  group(key: GroupKey): { before: FiguresTally; after: FiguresTally } {
    const id = groupId(key);
    let tally = this.#groups.get(id);
    if (tally === undefined) {
      tally = { key, before: new FiguresTally(), after: new FiguresTally() };
      this.#groups.set(id, tally);
    }
    return tally;
  }

  /** The groups, in no fixed order (the report sorts them). */
  groups(): { key: GroupKey; before: FiguresTally; after: FiguresTally }[] {
    return [...this.#groups.values()];
  }
}

/**
 * The partials of consecutive ranges of case streams, in range order, as one: counts added,
 * response times pooled (the percentiles stay exact), changed cases and refusals concatenated.
 * Ranges in ascending stream order give the lists a single reader would have made, so the
 * report is the same whatever the number of ranges.
 */
export const mergeWhatifPartials = (
  parts: readonly WhatifPartial[],
): { tallies: WhatifTallies; partial: Omit<WhatifPartial, 'groups' | 'overall'> } => {
  const tallies = new WhatifTallies();
  const changed: ChangedCase[] = [];
  const refused: WhatifRefusal[] = [];
  let eventsRead = 0;
  let casesReplayed = 0;
  for (const part of parts) {
    for (const { key, before, after } of part.groups) {
      const group = tallies.group(key);
      group.before.merge(before);
      group.after.merge(after);
    }
    tallies.overall.before.merge(part.overall.before);
    tallies.overall.after.merge(part.overall.after);
    for (const c of part.changed) changed.push(c);
    for (const r of part.refused) refused.push(r);
    eventsRead += part.eventsRead;
    casesReplayed += part.casesReplayed;
  }
  return { tallies, partial: { changed, refused, eventsRead, casesReplayed } };
};
