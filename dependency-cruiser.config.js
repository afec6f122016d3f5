// The layers of Docket and the imports each may make (docs/decisions/0005): run by
// `npm run lint`. Lowest first:
//   src/domain/*.ts        core: result, errors, clock, instant, actor, decider, recorded event
//   src/domain/policy/     policy, calendars, business time, severity rules, tenants
//   src/domain/case/stream/ the case stream's vocabulary: events, the case record, stream ids
//   machines/              the case statechart and its pure steps
//   src/domain/case/       the case rules: commands, access, lifecycle, decisions, replay, timers
//   projections/           read models
//   src/application/       use cases and ports
//   src/adapters/, src/http/, src/cli/, src/config/   the edges
const layer = {
  core: '^src/domain/[^/]+\\.ts$',
  policy: '^src/domain/policy/',
  stream: '^src/domain/case/stream/',
  machines: '^machines/',
  caseRules: '^src/domain/case/[^/]+\\.ts$',
  domain: '^src/domain/',
  projections: '^projections/',
  application: '^src/application/',
  edges: '^src/(adapters|http|cli|config)/',
};

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles, at any scale.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-imports-only-core',
      severity: 'error',
      comment: 'The core files of src/domain import nothing above them.',
      from: { path: layer.core },
      to: { path: [layer.policy, '^src/domain/case/', layer.machines, layer.projections] },
    },
    {
      name: 'policy-never-imports-case',
      severity: 'error',
      comment: 'The policy layer knows nothing of cases or their machine.',
      from: { path: layer.policy },
      to: { path: ['^src/domain/case/', layer.machines, layer.projections] },
    },
    {
      name: 'case-stream-below-the-machine',
      severity: 'error',
      comment: "The case stream's vocabulary is what the machine folds: it imports neither.",
      from: { path: layer.stream },
      to: { path: [layer.caseRules, layer.machines, layer.projections] },
    },
    {
      name: 'machines-below-the-case-rules',
      severity: 'error',
      comment:
        'machines/ may import the core, the policy layer and the case stream, never the case ' +
        'rules that are built on it (src/domain/case/*.ts).',
      from: { path: layer.machines },
      to: { path: [layer.caseRules, layer.projections] },
    },
    {
      name: 'pure-core',
      severity: 'error',
      comment: 'The domain and the machine never import application, adapters, HTTP or CLI.',
      from: { path: [layer.domain, layer.machines] },
      to: { path: [layer.application, layer.edges] },
    },
    {
      name: 'projections-below-application',
      severity: 'error',
      comment: 'Projections are run by the application (the projector); they never import it.',
      from: { path: layer.projections },
      to: { path: [layer.application, layer.edges] },
    },
    {
      name: 'application-behind-ports',
      severity: 'error',
      comment:
        'The application talks to the world through its ports; adapters, HTTP and the CLI ' +
        'are plugged in from outside.',
      from: { path: layer.application },
      to: { path: '^src/(adapters|http|cli)/' },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A source file nothing imports is dead (entry points excepted).',
      from: {
        orphan: true,
        pathNot: ['\\.d\\.ts$', '^src/cli/main\\.ts$', 'Main\\.ts$'],
      },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^(src|machines|projections)/',
    // Type-only imports count: a layer may not lean on another's types either.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
