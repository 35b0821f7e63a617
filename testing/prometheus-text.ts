// Reads a /metrics answer with an independent Prometheus text-format parser, for tests to check what it says.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export type MetricFamilies = ReturnType<typeof parsePrometheusTextFormat>;

/** A histogram's series: its count, sum and cumulative buckets by upper bound ("+Inf" included). */
export interface HistogramSeries {
  count: number;
  sum: number;
  buckets: Record<string, number>;
}

export interface Scrape {
  /** The families as the parser read the whole text (it throws on any line that is not valid text format). */
  families: MetricFamilies;
  /** The value of the one sample `name{labels…}` (0 when there is none); `labels` may name a subset. */
  value(name: string, labels?: Record<string, string>): number;
  /** The series of a histogram whose labels include `labels`, summed (zero when there is none). */
  histogram(name: string, labels?: Record<string, string>): HistogramSeries;
}

/** Parses text-format metrics. */
export function parseMetrics(text: string): Scrape {
  const families = parsePrometheusTextFormat(text);
  // The parser folds a labelled histogram's series into one and drops its labels; read without the TYPE lines, each
  // run of name_bucket, name_sum or name_count lines is a family of plain samples, labels kept.
  const flat = parsePrometheusTextFormat(text.replace(/^# TYPE .*$/gm, ''));
  const matching = (name: string, labels: Record<string, string>) =>
    flat
      .filter((f) => f.name === name)
      .flatMap((f) => f.metrics)
      .filter((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  const value = (name: string, labels: Record<string, string> = {}) => {
    const found = matching(name, labels);
    if (found.length > 1) throw new Error(`${name}: ${found.length} samples match ${JSON.stringify(labels)}`);
    return found.length === 0 ? 0 : Number(found[0].value);
  };
  return {
    families,
    value,
    histogram(name, labels = {}) {
      const total = (suffix: string) =>
        matching(`${name}_${suffix}`, labels).reduce((sum, s) => sum + Number(s.value), 0);
      const buckets: Record<string, number> = {};
      for (const s of matching(`${name}_bucket`, labels)) {
        const le = s.labels?.le ?? '';
        buckets[le] = (buckets[le] ?? 0) + Number(s.value);
      }
      return { count: total('count'), sum: total('sum'), buckets };
    },
  };
}

/** Fetches a /metrics URL and parses it. */
export async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return parseMetrics(await res.text());
}
