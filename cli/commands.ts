// The table of commands; each entry loads its module lazily so one command does not pay for another's imports.
import type { Command } from './command.ts';

export const commands: Record<string, () => Promise<Command>> = {
  dev: async () => (await import('./dev.ts')).command,
  worker: async () => (await import('./worker.ts')).command,
  api: async () => (await import('./api.ts')).command,
  migrate: async () => (await import('./migrate.ts')).command,
  'temporal-cli': async () => (await import('./temporal-cli.ts')).command,
  cluster: async () => (await import('./cluster.ts')).command,
  seed: async () => (await import('./seed.ts')).command,
  gbdt: async () => (await import('./gbdt.ts')).command,
  policy: async () => (await import('./policy.ts')).command,
  simulate: async () => (await import('./simulate.ts')).command,
  train: async () => (await import('./train.ts')).command,
  model: async () => (await import('./model.ts')).command,
  creator: async () => (await import('./creator.ts')).command,
  team: async () => (await import('./team.ts')).command,
  experiment: async () => (await import('./experiment.ts')).command,
  monitor: async () => (await import('./monitor.ts')).command,
  console: async () => (await import('./console.ts')).command,
  inbound: async () => (await import('./inbound.ts')).command,
};
