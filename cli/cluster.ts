// `fanfare cluster up | down | status`: the Temporal server on PostgreSQL, N workers and the API, each its own process.
import type { ClusterState } from '../dev/cluster.ts';
import { defineCommand, defineGroup, ENV, parseFlags, type Syntax } from './args.ts';

const CLUSTER_ENV = {
  FANFARE_CLUSTER_POSTGRES_URL:
    "PostgreSQL server of the Temporal server's databases fanfare_temporal and fanfare_temporal_visibility " +
    '(default postgres://postgres@127.0.0.1:5432)',
  DATABASE_URL: "the app's database (default: fanfare on that server), created if missing and migrated",
  'TEMPORAL_SERVER_PATH, TEMPORAL_SQL_TOOL_PATH':
    'Temporal server v1.29.1 and its SQL tool (default: built into the cache)',
  ...ENV.cache,
  PATH: 'searched for go, to build the server',
} as const;

const UP = {
  command: 'cluster up',
  summary: 'start the Temporal server on PostgreSQL, N workers and the API, each a process of its own, and return',
  flags: {
    workers: { value: 'N', help: 'worker processes (default 2)' },
    'api-port': { value: 'P', help: "the API's port (default: a free one)" },
    'temporal-port': { value: 'P', help: "the Temporal front end's gRPC port (default: a free one)" },
    namespace: { value: 'NAME', help: 'the namespace registered and served (default "default")' },
    'retention-days': { value: 'N', help: "the namespace's retention of closed workflows (default 3)" },
  },
  env: CLUSTER_ENV,
  notes: [
    'Pids, ports and log files go to .data/cluster/ (state.json, temporal.log, worker-N.log, api.log). The workers ' +
      'and the API get every other variable of `fanfare worker --help` and `fanfare api --help` from this ' +
      "environment (SMTP, push, links); the Temporal server's databases are set up with its own schema tool on " +
      'every start, which changes nothing when they are current. See docs/DEPLOY.md.',
  ],
} satisfies Syntax;
const DOWN = {
  command: 'cluster down',
  summary: 'stop what `cluster up` started: the API, the workers, then the server (SIGTERM, SIGKILL after a grace)',
} satisfies Syntax;
const BUILD = {
  command: 'cluster build',
  summary: 'print the paths of the Temporal server and its SQL tool, building both into the cache first if needed',
  env: CLUSTER_ENV,
  notes: [
    'The build is one `go install` of go.temporal.io/server/cmd/server and cmd/tools/sql at v1.29.1 with Go 1.22 or ' +
      'newer from PATH (about 13 minutes on a cold Go cache on two busy cores); stderr counts the packages compiled.',
  ],
} satisfies Syntax;
const STATUS = {
  command: 'cluster status',
  summary: "the cluster's processes, whether each runs, and its addresses and logs",
} satisfies Syntax;

export function parseUpArgs(args: string[]) {
  const line = parseFlags(args, UP);
  return {
    workers: line.integer('workers', { min: 1, max: 32 }) ?? 2,
    apiPort: line.integer('api-port', { min: 1, max: 65535 }),
    temporalPort: line.integer('temporal-port', { min: 1, max: 65535 }),
    namespace: line.string('namespace'),
    retentionDays: line.integer('retention-days', { min: 1, max: 3650 }),
  };
}

const up = defineCommand(UP, async (args) => {
  const options = parseUpArgs(args);
  const [{ readClusterSettings }, { clusterUp }] = await Promise.all([
    import('../app/config.ts'),
    import('../dev/cluster.ts'),
  ]);
  const state = await clusterUp({ ...options, settings: readClusterSettings() });
  process.stdout.write(`\n${formatStatus(state, () => true)}\n`);
  return 0;
});

const down = defineCommand(DOWN, async (args) => {
  parseFlags(args, DOWN);
  const { clusterDown } = await import('../dev/cluster.ts');
  if (!(await clusterDown())) process.stdout.write('no cluster state: nothing to stop\n');
  return 0;
});

const build = defineCommand(BUILD, async (args) => {
  parseFlags(args, BUILD);
  const { findTemporalServer } = await import('../dev/temporal-server.ts');
  const { server, sqlTool } = await findTemporalServer();
  process.stdout.write(`${server}\n${sqlTool}\n`);
  return 0;
});

const status = defineCommand(STATUS, async (args) => {
  parseFlags(args, STATUS);
  const { readClusterState, isRunning } = await import('../dev/cluster.ts');
  const state = await readClusterState();
  if (!state) {
    process.stdout.write('no cluster is running (no state file)\n');
    return 1;
  }
  process.stdout.write(`${formatStatus(state, isRunning)}\n`);
  return 0;
});

/** What runs where, one line per process. */
export function formatStatus(
  state: ClusterState,
  running: (p: { pid: number; startTicks: string }) => boolean,
): string {
  const mark = (p: { pid: number; startTicks: string }) => (running(p) ? 'running' : 'NOT RUNNING');
  const t = state.temporal;
  const lines = [
    `cluster started ${state.startedAt}; database ${state.database}`,
    `  temporal  pid ${t.pid} ${mark(t)}  ${t.address} namespace ${t.namespace}, ` +
      `databases ${t.databases.main} and ${t.databases.visibility}  log ${t.log}`,
    ...state.workers.map(
      (w, i) => `  worker ${i + 1}  pid ${w.pid} ${mark(w)}  metrics http://${w.metrics}/metrics  log ${w.log}`,
    ),
  ];
  if (state.api)
    lines.push(`  api       pid ${state.api.pid} ${mark(state.api)}  ${state.api.url}  log ${state.api.log}`);
  lines.push(`  TEMPORAL_ADDRESS=${t.address} TEMPORAL_NAMESPACE=${t.namespace}`);
  return lines.join('\n');
}

export const command = defineGroup(
  {
    command: 'cluster',
    summary: 'a production-shaped stack: the Temporal server on PostgreSQL, several workers, the API',
    env: CLUSTER_ENV,
  },
  { up, down, status, build },
);
