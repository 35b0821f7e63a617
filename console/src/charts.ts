// Chart.js set up once for the console: the registered parts, shared colours, charts replacing the last on a canvas,
// and under every chart a "Data" table of its own datasets (for screen readers, copy-paste and CSV).
import { Chart, type ChartConfiguration, type ChartType, registerables } from 'chart.js';
import type { CsvCell } from './csv.ts';
import { type Cell, h, table } from './dom.ts';

Chart.register(...registerables);
Chart.defaults.font.family = 'system-ui, sans-serif';
Chart.defaults.font.size = 12;
Chart.defaults.color = '#3a4254';
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.animation = false;

/** Colour-blind-safe (Okabe–Ito) series colours. */
export const COLORS = {
  email: '#0072B2',
  push: '#E69F00',
  current: '#56606f',
  proposed: '#009E73',
  model: '#0072B2',
  oracle: '#D55E00',
  alert: '#009E73',
  digest: '#0072B2',
  suppress: '#CC79A7',
  post: '#0072B2',
  live: '#D55E00',
  announcement: '#009E73',
} as const;

export function color(name: string): string {
  return (COLORS as Record<string, string>)[name] ?? '#777';
}

/** A colour at 35% opacity: how a partial period (today) is drawn beside whole ones. */
export const faded = (hex: string) => `${hex}59`;

export function draw<T extends ChartType>(canvas: HTMLCanvasElement, config: ChartConfiguration<T>): Chart<T> {
  Chart.getChart(canvas)?.destroy();
  const chart = new Chart(canvas, config);
  showData(canvas, chart as unknown as Chart);
  return chart;
}

const textOf = (v: unknown): string =>
  Array.isArray(v) ? v.join(' ') : v === null || v === undefined ? '' : String(v);

/** A number as the table shows it: whole numbers with separators, others to four significant digits. */
function shown(v: CsvCell): string {
  if (typeof v !== 'number') return v ?? '—';
  if (!Number.isFinite(v)) return '—';
  return Number.isInteger(v) ? v.toLocaleString('en') : Number(v.toPrecision(4)).toString();
}

const yOf = (p: unknown): number | null => {
  if (typeof p === 'number') return p;
  if (p && typeof p === 'object' && 'y' in p && typeof p.y === 'number') return p.y;
  return null;
};

/** Runs of at least this many rows with nothing in them fold into one row. */
const FOLD_AT = 3;

/**
 * The chart's datasets as rows: one per label with a column per dataset when the chart has labels, otherwise one per
 * point (series, x, y). Runs of empty rows (every value 0 or missing) fold into one row; the CSV keeps every row.
 */
export function chartRows(chart: Chart): { head: string[]; rows: Cell[][]; csv: CsvCell[][] } {
  const sets = chart.data.datasets;
  const labels = chart.data.labels ?? [];
  if (labels.length > 0) {
    const xTitle = (
      chart.options.scales?.[chart.options.indexAxis === 'y' ? 'y' : 'x'] as { title?: { text?: string } }
    )?.title?.text;
    const head = [textOf(xTitle) || 'label', ...sets.map((s, i) => s.label ?? `series ${i + 1}`)];
    const csv = labels.map((l, i) => [textOf(l), ...sets.map((s) => yOf(s.data[i]))] as CsvCell[]);
    return { head, rows: fold(csv, head.length), csv };
  }
  const head = ['series', 'x', 'y'];
  const csv: CsvCell[][] = [];
  for (const [i, s] of sets.entries())
    for (const p of s.data) {
      const point = p as { x?: unknown; y?: unknown } | number | null;
      const x = point && typeof point === 'object' ? point.x : null;
      csv.push([s.label ?? `series ${i + 1}`, typeof x === 'number' ? x : textOf(x), yOf(point)]);
    }
  return { head, rows: csv.map((r) => r.map(shown)), csv };
}

function fold(csv: CsvCell[][], width: number): Cell[][] {
  const out: Cell[][] = [];
  const empty = (r: CsvCell[]) => r.slice(1).every((v) => v === null || v === 0);
  for (let i = 0; i < csv.length; ) {
    let j = i;
    while (j < csv.length && empty(csv[j])) j++;
    if (j - i >= FOLD_AT) {
      const days = /^\d{4}-\d{2}-\d{2}/.test(String(csv[i][0]));
      const what = days ? `${j - i} days with no activity` : `${j - i} rows with nothing`;
      out.push([`${csv[i][0]} – ${csv[j - 1][0]}`, h('td', { colspan: width - 1, class: 'folded' }, what)]);
      i = j;
    } else {
      out.push(csv[i].map(shown));
      i++;
    }
  }
  return out;
}

/** Puts (or replaces) the chart's "Data" disclosure right after the chart's frame. */
function showData(canvas: HTMLCanvasElement, chart: Chart): void {
  const frame = canvas.parentElement?.classList.contains('chart') ? canvas.parentElement : canvas;
  const old = frame.nextElementSibling;
  if (old instanceof HTMLDetailsElement && old.classList.contains('chart-data')) old.remove();
  const title = canvas.getAttribute('aria-label') ?? canvas.id;
  const { head, rows, csv } = chartRows(chart);
  const details = h(
    'details',
    { class: 'chart-data', 'data-chart': canvas.id },
    h('summary', {}, 'Data'),
    table(`Data: ${title}`, head, rows, { csv }),
  );
  frame.after(details);
}
