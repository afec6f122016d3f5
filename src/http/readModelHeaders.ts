import type { FastifyReply } from 'fastify';
import type { ProjectionPosition } from '../../projections/projectionPositions.js';

/** The log position the answer reflects: what its projection had applied (-1: nothing). */
const positionHeader = 'docket-read-model-position';
/** `true` while that projection is being rebuilt: the answer may be incomplete, even empty. */
const rebuildingHeader = 'docket-read-model-rebuilding';

/** Says on a read model's answer how far that read model had got (docs/api.md). */
export const positionHeaders = (reply: FastifyReply, position: ProjectionPosition) =>
  reply
    .header(positionHeader, String(position.position))
    .header(rebuildingHeader, String(position.rebuilding));

export const positionNote =
  'Headers Docket-Read-Model-Position (the log position the answer reflects) and Docket-Read-Model-Rebuilding (true while the read model is being rebuilt: the answer may be incomplete).';
