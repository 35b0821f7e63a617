// `fanfare simulate --policy FILE --world SPEC --days N`: the replay's table for a policy document on a simulated world.
import type { Command } from '../cli/commands.ts';
import { loadWorldSpec, parseWorldSpec } from '../simulator/spec.ts';
import { generateWorld } from '../simulator/world.ts';
import { DEFAULT_CAP_POLICY, formatPolicyErrors } from './cap-policy.ts';
import { readPolicyFile } from './cli.ts';
import { formatReplay, replay } from './replay.ts';

const USAGE = 'usage: fanfare simulate [--policy FILE] [--world SPEC.json] [--days N] [--fans N]';

export interface SimulateArgs {
  policy: string | null;
  world: string | null;
  days: number;
  fans: number | null;
}

export function parseSimulateArgs(args: string[]): SimulateArgs {
  const out: SimulateArgs = { policy: null, world: null, days: 14, fans: null };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag}: needs a value; ${USAGE}`);
    if (flag === '--policy') out.policy = value;
    else if (flag === '--world') out.world = value;
    else if (flag === '--days' || flag === '--fans') {
      const n = Number(value);
      const max = flag === '--days' ? 60 : 200_000;
      if (!/^\d+$/.test(value) || n < 1 || n > max) throw new Error(`${flag}: must be an integer from 1 to ${max}; ${USAGE}`);
      if (flag === '--days') out.days = n;
      else out.fans = n;
    } else throw new Error(`unknown argument "${flag}"; ${USAGE}`);
  }
  return out;
}

export const command: Command = {
  summary: 'replay a cap policy over simulated days against the ground truth, beside send-everything-now and caps-only',
  async run(args) {
    const parsed = parseSimulateArgs(args);
    let policy = DEFAULT_CAP_POLICY;
    if (parsed.policy) {
      const checked = await readPolicyFile(parsed.policy);
      if (!checked.ok) {
        process.stderr.write(`${parsed.policy}: invalid cap policy\n${formatPolicyErrors(checked.errors)}\n`);
        return 1;
      }
      policy = checked.value;
    }
    let spec = parsed.world ? await loadWorldSpec(parsed.world) : parseWorldSpec({});
    if (parsed.fans) spec = parseWorldSpec({ ...spec, fans: { ...spec.fans, count: parsed.fans } });
    const started = performance.now();
    const report = replay(generateWorld(spec), policy, parsed.days);
    process.stdout.write(`${formatReplay(report)}\n(${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
    const broken = report.outcomes.reduce((n, o) => n + o.violations.length, 0);
    if (broken > 0) {
      for (const o of report.outcomes) for (const v of o.violations.slice(0, 5)) process.stderr.write(`${o.name}: ${v.message}\n`);
      return 1;
    }
    return 0;
  },
};
