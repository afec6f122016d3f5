/** Where a role reports: the service's structured log. */
export interface RoleLog {
  info(message: string): void;
  warn(message: string): void;
  error(error: unknown, what: string): void;
}

/**
 * Reports `what`'s errors to `log`, but an error with the same message as one reported less
 * than `quietMs` ago only counts: a client that retries a server that is away (BullMQ's
 * reconnects, every 50–2,000 ms) would otherwise fill the log with one line per attempt. The
 * next report of that message says how many were left out.
 */
export const quietRepeats = (
  log: RoleLog,
  what: string,
  quietMs = 60_000,
  now: () => number = Date.now,
): ((error: unknown) => void) => {
  const seen = new Map<string, { at: number; skipped: number }>();
  return (error) => {
    const message = error instanceof Error ? error.message : String(error);
    const last = seen.get(message);
    const at = now();
    if (last !== undefined && at - last.at < quietMs) {
      last.skipped++;
      return;
    }
    seen.set(message, { at, skipped: 0 });
    const repeated =
      last === undefined || last.skipped === 0 ? '' : ` (${last.skipped} more since)`;
    log.error(error, `${what}${repeated}`);
  };
};
