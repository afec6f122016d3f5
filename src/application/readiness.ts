/** What one readiness check found. */
export interface CheckResult {
  readonly ready: boolean;
  /** Why it is not ready (or a warning that does not make it unready), in a sentence. */
  readonly reason?: string;
  /** Figures behind the answer (positions, lags, warnings); never a tenant's data. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** A check of one dependency, asked at request time; throwing means not ready. */
export type ReadinessCheck = () => Promise<CheckResult>;

export interface CheckReport extends CheckResult {
  readonly name: string;
  /** How long the check took (its timeout, if it did not answer). */
  readonly ms: number;
}

export interface ReadinessReport {
  /** Every check is ready (no check: ready). */
  readonly ready: boolean;
  /** In the order the checks were registered. */
  readonly checks: readonly CheckReport[];
}

export interface ReadinessOptions {
  /**
   * How long a check may take before it counts as not ready.
   * @defaultValue 2000
   */
  readonly timeoutMs?: number;
}

interface Registered {
  readonly name: string;
  readonly check: ReadinessCheck;
  readonly timeoutMs: number;
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * Whether this process can do its work now: named checks, registered by whoever owns each
 * dependency (the store, Redis, the read-model database, the scheduler, …), asked concurrently
 * when `evaluate` is called, each within its timeout. Ready only if every check is. Requests
 * that arrive while an evaluation runs share it, so a burst of probes asks each dependency once.
 */
export class Readiness {
  readonly #checks: Registered[] = [];
  readonly #timeoutMs: number;
  #running: Promise<ReadinessReport> | undefined;

  constructor(options: ReadinessOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 2_000;
  }

  /** Adds a check; a name is `kebab-case` and registered once. */
  register(name: string, check: ReadinessCheck, options: ReadinessOptions = {}): this {
    if (!NAME.test(name))
      throw new Error(`readiness check name ${JSON.stringify(name)}: kebab-case`);
    if (this.#checks.some((c) => c.name === name))
      throw new Error(`readiness check ${name} is already registered`);
    this.#checks.push({ name, check, timeoutMs: options.timeoutMs ?? this.#timeoutMs });
    return this;
  }

  evaluate(): Promise<ReadinessReport> {
    this.#running ??= this.#evaluate().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #evaluate(): Promise<ReadinessReport> {
    const checks = await Promise.all(this.#checks.map(runCheck));
    return { ready: checks.every((c) => c.ready), checks };
  }
}

const runCheck = async ({ name, check, timeoutMs }: Registered): Promise<CheckReport> => {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ ready: false, reason: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    timer.unref();
  });
  try {
    const result = await Promise.race([Promise.resolve().then(check), timedOut]).catch(
      (error: unknown): CheckResult => ({ ready: false, reason: reasonOf(error) }),
    );
    return { name, ...result, ms: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
};

/** An error's message; its code or name when it has none (an AggregateError of refused connections). */
const reasonOf = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return error.message || (typeof code === 'string' ? code : error.name);
};
