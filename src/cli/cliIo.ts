import { isDocketError } from '../domain/docketError.js';

/** Where a CLI command writes: real streams in production, buffers in tests. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** A failure the CLI reports on stderr with a non-zero exit; never a stack trace for bad input. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliFailure';
  }
}

/** Formats a Docket error for stderr: the message, then one line per failing field. */
export const describeError = (error: unknown): string => {
  if (isDocketError(error)) {
    const lines = [`docket: ${error.message} [${error.code}]`];
    for (const issue of error.issues) lines.push(`  - ${issue.path}: ${issue.message}`);
    return lines.join('\n') + '\n';
  }
  if (error instanceof CliFailure) return `docket: ${error.message}\n`;
  return `docket: ${error instanceof Error ? error.message : String(error)}\n`;
};
