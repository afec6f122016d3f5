import { z } from 'zod';
import { slaReport, slaReportCsv } from '../../projections/slaReport.js';
import { validationError } from '../domain/docketError.js';
import { toFieldIssues } from '../domain/zodIssues.js';
import type { CliIo } from './cliIo.js';
import { openReadModelsSession } from './readModelsCli.js';

const optionsSchema = z
  .object({
    from: z.iso.date(),
    to: z.iso.date(),
    offering: z.string().min(1).optional(),
    line: z.string().min(1).optional(),
    csv: z.boolean().optional(),
  })
  .refine((o) => o.from <= o.to, { message: 'from is after to', path: ['to'] });

/** `docket report sla --from --to [--offering] [--line] [--csv]`: the SLA report from the read models. */
export const reportSla = async (options: unknown, io: CliIo): Promise<void> => {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw validationError('invalid report options', toFieldIssues(parsed.error));
  const session = await openReadModelsSession();
  try {
    await session.projector.prepare();
    const rows = await slaReport(session.readModels.db, parsed.data);
    io.out(
      parsed.data.csv === true ? slaReportCsv(rows) : JSON.stringify({ rows }, null, 2) + '\n',
    );
  } finally {
    await session.close();
  }
};
