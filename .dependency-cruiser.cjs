// The import rule of docs/ARCHITECTURE.md for `npm run deps`: no cycles, no upward imports, no tooling in production.
// A layer may import only the layers listed for it (and itself); test files (*.test.ts) may reach anywhere.

const TEST = '\\.test\\.ts$';
const npm = (...names) => names.map((n) => `^node_modules/${n}/`);

/** Each production layer: the folders it may import, and the npm packages it may use. */
const LAYERS = {
  domain: { may: [], npm: [] },
  wire: { may: ['domain'], npm: [] },
  policy: { may: ['domain'], npm: [] },
  'models/gbdt': { may: [], npm: [] },
  dispatch: { may: ['domain'], npm: [] },
  db: { may: ['domain', 'wire', 'policy'], npm: ['pg', 'rate-limiter-flexible'] },
  models: { may: ['domain', 'db', 'models/gbdt'], npm: [] },
  delivery: {
    may: ['domain', 'policy', 'db'],
    npm: ['nodemailer', 'web-push', 'pg', 'ipaddr.js', 'intl-messageformat', 'smtp-server', 'mailparser'],
  },
  auth: { may: ['domain', 'db'], npm: ['@node-rs/argon2', 'rate-limiter-flexible'] },
  metrics: { may: ['domain', 'db'], npm: ['prom-client'] },
  activities: {
    may: ['domain', 'policy', 'models', 'db', 'delivery', 'dispatch', 'metrics'],
    npm: ['@temporalio/activity'],
  },
  http: {
    may: ['domain', 'wire', 'policy', 'models', 'models/gbdt', 'db', 'delivery', 'auth', 'workflows'],
    npm: [
      '@temporalio/client',
      'vite',
      'pg',
      'fastify',
      '@fastify/helmet',
      '@fastify/swagger',
      'fastify-type-provider-zod',
      'zod',
    ],
  },
};

const folder = (name) => (name === 'models' ? '^models/(?!gbdt/)' : `^${name}/`);

const layerRules = Object.entries(LAYERS).map(([name, { may, npm: packages }]) => {
  const allowed = [...may, ...packages.map((p) => `npm:${p}`)].join(', ') || 'nothing';
  return {
    name: `layer-${name.replace('/', '-')}`,
    comment: `${name}/ may import only ${allowed} (docs/ARCHITECTURE.md)`,
    severity: 'error',
    from: { path: folder(name), pathNot: TEST },
    to: {
      dependencyTypesNot: ['core'],
      pathNot: [folder(name), ...may.map(folder), ...npm(...packages)],
    },
  };
});

/** Production code: everything but the simulator, the replay harness, peers, dev tooling, tests and benchmarks. */
const PRODUCTION = '^(domain|wire|policy|models|dispatch|db|delivery|auth|metrics|activities|workflows|http|app|cli)/';
/** The tooling commands of the CLI: they run the simulator, the dev stack and the replay by design. */
const TOOLING_COMMANDS = '^cli/(dev|seed|simulate|temporal-cli|cluster)\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'no import cycles, type-only ones included',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'workflows-import-activities-as-types',
      comment: 'workflows reach activities only through proxyActivities<typeof …>: type-only imports',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'workflows-only-activity-types',
      comment: 'workflows import nothing else of the upper layers',
      severity: 'error',
      from: { path: '^workflows/' },
      to: {
        dependencyTypesNot: ['core'],
        pathNot: ['^workflows/', '^domain/', '^dispatch/', '^activities/', ...npm('@temporalio/workflow')],
      },
    },
    {
      name: 'no-tooling-in-production',
      comment: 'production code never imports the simulator, peers, dev tooling, test helpers or benchmarks',
      severity: 'error',
      from: { path: PRODUCTION, pathNot: [TEST, TOOLING_COMMANDS] },
      to: { path: '^(simulator|peers|dev|testing|test|bench|scripts)/' },
    },
    {
      name: 'replay-only-from-the-root',
      comment: 'the replay harness (which runs the simulator) is wired in by the composition root alone',
      severity: 'error',
      from: { path: PRODUCTION, pathNot: [TEST, '^app/', '^cli/'] },
      to: { path: '^replay/' },
    },
    {
      name: 'app-below-cli',
      comment: 'app/ is the composition root the commands use; it never imports a command',
      severity: 'error',
      from: { path: '^app/' },
      to: { path: '^cli/' },
    },
    {
      name: 'console-reads-wire-types',
      comment: "the browser console shares the server's wire types and pure helpers, nothing that runs on the server",
      severity: 'error',
      from: { path: '^console/' },
      to: {
        dependencyTypesNot: ['core'],
        pathNot: ['^console/', '^wire/', '^domain/', '^policy/diff\\.ts$', ...npm('chart.js')],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.data|test-artifacts|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.json'],
    },
    includeOnly:
      '^(domain|wire|policy|models|dispatch|db|delivery|auth|metrics|activities|workflows|http|app|cli|replay|' +
      'simulator|' +
      'peers|dev|testing|test|bench|scripts|console|bin)/',
  },
};
