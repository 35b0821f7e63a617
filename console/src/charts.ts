// Chart.js set up once for the console: the registered parts, shared colours, charts replacing the last on a canvas.
import { Chart, type ChartConfiguration, type ChartType, registerables } from 'chart.js';

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

export function draw<T extends ChartType>(canvas: HTMLCanvasElement, config: ChartConfiguration<T>): Chart<T> {
  Chart.getChart(canvas)?.destroy();
  return new Chart(canvas, config);
}
