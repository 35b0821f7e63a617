// A long command's progress on stderr: a bar redrawn in place on a terminal, a plain line now and then elsewhere.
// Without a total it shows the count or the stage and the time elapsed.
//
// Written here rather than taken from cli-progress: its multi-bar redraws only on timers, which never fire during the
// synchronous loops of the replay and the trainer, and its single bar restores the cursor to where it started when it
// stops, garbling the lines printed above it meanwhile (each finished run of `fanfare simulate`).

export interface ProgressOptions {
  /** What each line starts with, e.g. "simulate". */
  label: string;
  /** What is counted: "days", "iterations", "packages"; none for a task told only its stage. */
  unit?: string;
  /** How many there will be; without it the line shows the count and the time elapsed. */
  total?: number;
  /** Without a total: a plain line each time the count passes a multiple of this (as at each 10% with one). */
  every?: number;
  /** Where it is shown; process.stderr by default, so that stdout stays the command's result. */
  stream?: NodeJS.WriteStream;
  /** Milliseconds, for tests. */
  now?: () => number;
}

export interface Progress {
  /** How many are done, and what is being done now (kept until told otherwise). */
  update(done: number, stage?: string): void;
  /** A line printed above the bar, to `to` (the progress stream by default), the bar redrawn under it. */
  log(line: string, to?: NodeJS.WritableStream): void;
  /** Clears the bar; idempotent. */
  stop(): void;
}

const BAR_WIDTH = 24;
/** Redraws on a terminal at most this often, so a tight loop's updates cost next to nothing. */
const REDRAW_MS = 100;
/** Plain lines: at each 10% (or `every` units), but no closer together than this, so a short task prints none... */
const PLAIN_MIN_GAP_MS = 2_000;
/** ...or after this long without one. */
const PLAIN_QUIET_MS = 30_000;
const SPINNER = ['|', '/', '-', '\\'];

/** 45s, 3m05s, 1h02m. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function startProgress(options: ProgressOptions): Progress {
  const { label, unit, total, every } = options;
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const started = now();
  let done = 0;
  let stage: string | undefined;
  let stopped = false;

  /** The count (if any) and the time, shared by both displays. */
  const parts = (): string[] => {
    const out: string[] = [];
    const units = unit ? ` ${unit}` : '';
    const percent = total ? Math.floor((100 * done) / total) : 100;
    if (total !== undefined) out.push(`${done}/${total}${units} (${percent}%)`);
    else if (unit) out.push(`${done}${units}`);
    const elapsed = now() - started;
    const left = total !== undefined && done > 0 && done < total ? (elapsed * (total - done)) / done : undefined;
    out.push(`${formatDuration(elapsed)} elapsed${left === undefined ? '' : `, about ${formatDuration(left)} left`}`);
    return out;
  };

  if (!stream.isTTY) {
    let lastLine = started;
    let lastStep = 0;
    return {
      update(n, next) {
        if (stopped) return;
        done = n;
        const changed = next !== undefined && next !== stage;
        if (next !== undefined) stage = next;
        const t = now();
        const step = total ? Math.floor((10 * done) / total) : every ? Math.floor(done / every) : 0;
        // Without a total the stage is the news, so each new one prints; with one, the stage only rides along.
        const due =
          t - lastLine >= PLAIN_QUIET_MS ||
          (step > lastStep && t - lastLine >= PLAIN_MIN_GAP_MS) ||
          (total === undefined && changed);
        if (!due) return;
        lastLine = t;
        lastStep = step;
        stream.write(`${label}: ${[...(stage ? [stage] : []), ...parts()].join(', ')}\n`);
      },
      log(line, to = stream) {
        to.write(`${line}\n`);
      },
      stop() {
        stopped = true;
      },
    };
  }

  let lastDraw = Number.NEGATIVE_INFINITY;
  let frame = 0;
  const draw = () => {
    const filled = total ? Math.min(BAR_WIDTH, Math.round((BAR_WIDTH * done) / total)) : 0;
    const bar = total !== undefined ? `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}]` : SPINNER[frame++ % 4];
    const line = `${label} ${bar} ${[...parts(), ...(stage ? [stage] : [])].join(' | ')}`;
    stream.write(`\r${line.slice(0, (stream.columns || 80) - 1)}\x1b[K`);
    lastDraw = now();
  };
  const clear = () => stream.write('\r\x1b[K');
  // The elapsed time moves on while a caller awaits something; during a synchronous loop updates redraw instead.
  const timer = setInterval(draw, 1000);
  timer.unref();
  draw();
  return {
    update(n, next) {
      if (stopped) return;
      done = n;
      const changed = next !== undefined && next !== stage;
      if (next !== undefined) stage = next;
      if (changed || now() - lastDraw >= REDRAW_MS) draw();
    },
    log(line, to = stream) {
      if (stopped) {
        to.write(`${line}\n`);
        return;
      }
      clear();
      to.write(`${line}\n`);
      draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      clear();
    },
  };
}
