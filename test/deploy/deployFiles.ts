import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

/**
 * Readers for the deployment artefacts (Dockerfile, .dockerignore, docker-compose.yml), light
 * enough for CI to check them without a Docker engine: docs/deployment.md says what is checked.
 */

/** The repository's root folder. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const repoFile = (path: string): string => join(repoRoot, path);
const read = (path: string) => readFileSync(repoFile(path), 'utf8');

// --- Dockerfile -------------------------------------------------------------------------------

export interface Instruction {
  /** Upper case: FROM, RUN, ENV, ... */
  readonly keyword: string;
  /** The rest of the instruction, continuation lines joined with a space. */
  readonly args: string;
}

export interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

/** The instructions of a Dockerfile, comments dropped and `\` continuations joined. */
export const dockerInstructions = (text: string): Instruction[] => {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    const continued = line.endsWith('\\');
    pending += (pending === '' ? '' : ' ') + (continued ? line.slice(0, -1).trim() : line);
    if (continued) continue;
    const match = /^(\S+)\s*(.*)$/s.exec(pending);
    if (match !== null) instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]! });
    pending = '';
  }
  return instructions;
};

/** The Dockerfile's stages, in order: the last is the image that runs. */
export const dockerStages = (text: string): Stage[] => {
  const stages: { image: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const instruction of dockerInstructions(text)) {
    if (instruction.keyword === 'FROM') {
      const [image, as, name] = instruction.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      stages.push({
        image: image!,
        name: as?.toUpperCase() === 'AS' ? name : undefined,
        instructions: [],
      });
    } else if (instruction.keyword !== 'ARG' || stages.length > 0) {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
};

export const readDockerfile = (): Stage[] => dockerStages(read('Dockerfile'));

/** `ENV A=1 B=2` (or the old `ENV A 1`) as pairs; quotes around a value are dropped. */
export const envPairs = (args: string): [string, string][] => {
  const unquote = (v: string) => v.replace(/^(["'])(.*)\1$/, '$2');
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    const [name, ...value] = args.split(/\s+/);
    return [[name!, unquote(value.join(' '))]];
  }
  return [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S*)/g)].map(
    (m) => [m[1]!, unquote(m[2]!)] as [string, string],
  );
};

/** An instruction's arguments in exec form (`["node", "bin/docket.js"]`); undefined in shell form. */
export const execForm = (args: string): string[] | undefined => {
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
};

/** HEALTHCHECK's options and command: `--interval=10s ... CMD ["node", "-e", "..."]`. */
export const healthcheck = (
  args: string,
): { options: Record<string, string>; command: string[] | undefined } => {
  const match = /^((?:--[a-z-]+=\S+\s+)*)CMD\s+(.*)$/s.exec(args);
  if (match === null) return { options: {}, command: undefined };
  const options = Object.fromEntries(
    [...match[1]!.matchAll(/--([a-z-]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]),
  );
  return { options, command: execForm(match[2]!) };
};

/** The runtime image's HEALTHCHECK command (exec form), to run it outside Docker. */
export const dockerHealthcheckCommand = (): string[] => {
  const runtime = readDockerfile().at(-1)!;
  const check = runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK');
  const command = check === undefined ? undefined : healthcheck(check.args).command;
  if (command === undefined) throw new Error('the runtime stage has no exec-form HEALTHCHECK');
  return command;
};

/**
 * Whether `.dockerignore` lets the top-level entry `name` into the build context: the last
 * pattern that matches it decides (`*` matches every name, `!x` lets `x` back in).
 */
export const inBuildContext = (name: string): boolean => {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  let included = true;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const body = (negated ? pattern.slice(1) : pattern).replace(/^\/|\/$/g, '');
    if (body === '*' || body === name) included = negated;
  }
  return included;
};

/** `.dockerignore` patterns that are not a plain top-level name or `*` (inBuildContext does not read them). */
export const dockerignoreComplexPatterns = (): string[] =>
  read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .filter((l) => !/^!?\/?(\*|[A-Za-z0-9._-]+)\/?$/.test(l));

// --- docker-compose.yml -----------------------------------------------------------------------

export interface ComposeService {
  readonly image?: string;
  readonly build?: string | { readonly context?: string; readonly dockerfile?: string };
  readonly command?: string | readonly string[];
  readonly environment?: Record<string, string | number | boolean | null> | readonly string[];
  readonly depends_on?: readonly string[] | Record<string, { readonly condition?: string }>;
  readonly healthcheck?: { readonly test?: unknown; readonly disable?: boolean };
  readonly secrets?: readonly (string | { readonly source: string; readonly target?: string })[];
  readonly volumes?: readonly (string | { readonly source?: string; readonly target: string })[];
  readonly ports?: readonly (string | number | { readonly target: number; published?: unknown })[];
}

export interface ComposeFile {
  readonly services: Record<string, ComposeService>;
  readonly secrets?: Record<string, { readonly file?: string }>;
  readonly volumes?: Record<string, unknown>;
}

/** docker-compose.yml, with YAML merge keys (`<<: *docket`) applied as compose applies them. */
export const readCompose = (): { compose: ComposeFile; errors: string[] } => {
  const document = parseDocument(read('docker-compose.yml'), { merge: true });
  return {
    compose: document.toJS() as ComposeFile,
    errors: [...document.errors, ...document.warnings].map((e) => e.message),
  };
};

/** A service's environment as a map (compose takes a map or a list of `NAME=value`). */
export const environmentOf = (service: ComposeService): Record<string, string> => {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      (env as readonly string[]).map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)] as const),
  );
};

/** The names a `depends_on` lists (compose takes a list or a map). */
export const dependenciesOf = (service: ComposeService): string[] =>
  Array.isArray(service.depends_on)
    ? [...(service.depends_on as readonly string[])]
    : Object.keys(service.depends_on ?? {});

/** A command as its words (compose takes a list, or a string it splits on spaces). */
export const commandOf = (service: ComposeService): string[] =>
  typeof service.command === 'string'
    ? service.command.split(/\s+/).filter((w) => w !== '')
    : [...(service.command ?? [])];

/** Where a service's secrets are mounted: `/run/secrets/<target>` → the top-level secret's name. */
export const secretMounts = (service: ComposeService): Map<string, string> =>
  new Map(
    (service.secrets ?? []).map((s) =>
      typeof s === 'string'
        ? [`/run/secrets/${s}`, s]
        : [
            (s.target ?? s.source).startsWith('/')
              ? s.target!
              : `/run/secrets/${s.target ?? s.source}`,
            s.source,
          ],
    ),
  );

/** A service's volume mounts: container path → source (a named volume or a host path). */
export const volumeMounts = (service: ComposeService): Map<string, string | undefined> =>
  new Map(
    (service.volumes ?? []).map((v) => {
      if (typeof v !== 'string') return [v.target, v.source];
      const [source, target] = v.split(':');
      return target === undefined ? [source!, undefined] : [target, source];
    }),
  );
