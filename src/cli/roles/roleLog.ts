/** Where a role reports: the service's structured log. */
export interface RoleLog {
  info(message: string): void;
  warn(message: string): void;
  error(error: unknown, what: string): void;
}
