import { caseList } from './caseList.js';
import { caseQueue } from './caseQueue.js';
import type { Projection } from './projection.js';
import { slaCompliance } from './slaCompliance.js';

/** The projections the service runs, by name. */
export const allProjections: readonly Projection[] = [caseQueue, slaCompliance, caseList];
