// Formats doubles exactly as C's printf "%g" / "%.17g" (and fmt's "{:g}"), as LightGBM's model and prediction files do.

/** Ties in binary→decimal rounding need a value with few fractional bits; beyond this many, toExponential is exact. */
function tieBits(precision: number): number {
  return Math.ceil((precision + 1) / Math.log10(5)) + 1;
}

/**
 * Significant digits (exactly `precision` of them) and the decimal exponent of |x|, rounded half to even like glibc.
 */
function roundedDigits(ax: number, precision: number): { digits: string; exponent: number } {
  const bits = tieBits(precision);
  if (!Number.isInteger(ax * 2 ** bits)) {
    // No tie is possible, and V8's toExponential rounds the exact binary value correctly otherwise.
    const s = ax.toExponential(precision - 1);
    const e = s.indexOf('e');
    return { digits: s.slice(0, e).replace('.', ''), exponent: Number(s.slice(e + 1)) };
  }
  return exactRoundedDigits(ax, precision);
}

/** The slow exact path: the full decimal expansion via BigInt, then round half to even. */
function exactRoundedDigits(ax: number, precision: number): { digits: string; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, ax);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let binExp: number;
  if (biased === 0) {
    binExp = -1074;
  } else {
    mantissa |= 1n << 52n;
    binExp = biased - 1075;
  }
  // ax = mantissa * 2^binExp = full * 10^scale
  let full: bigint;
  let scale: number;
  if (binExp >= 0) {
    full = mantissa << BigInt(binExp);
    scale = 0;
  } else {
    full = mantissa * 5n ** BigInt(-binExp);
    scale = binExp;
  }
  const all = full.toString();
  const exponent = all.length - 1 + scale;
  if (all.length <= precision) {
    return { digits: all.padEnd(precision, '0'), exponent };
  }
  let kept = BigInt(all.slice(0, precision));
  const rest = all.slice(precision);
  const first = rest.charCodeAt(0) - 48;
  const beyond = /[1-9]/.test(rest.slice(1));
  if (first > 5 || (first === 5 && (beyond || (kept & 1n) === 1n))) kept += 1n;
  let digits = kept.toString();
  let exp = exponent;
  if (digits.length > precision) {
    digits = digits.slice(0, precision);
    exp += 1;
  }
  return { digits, exponent: exp };
}

function stripFraction(s: string): string {
  if (s.indexOf('.') < 0) return s;
  s = s.replace(/0+$/, '');
  return s.endsWith('.') ? s.slice(0, -1) : s;
}

/** C's printf("%.<precision>g", x). */
export function formatG(x: number, precision = 6): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const p = precision === 0 ? 1 : precision;
  const sign = x < 0 ? '-' : '';
  const { digits, exponent } = roundedDigits(Math.abs(x), p);
  if (exponent < p && exponent >= -4) {
    let body: string;
    if (exponent >= 0) {
      body = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
    } else {
      body = `0.${'0'.repeat(-exponent - 1)}${digits}`;
    }
    return sign + stripFraction(body);
  }
  const mant = stripFraction(`${digits[0]}.${digits.slice(1)}`);
  const expAbs = Math.abs(exponent);
  return `${sign}${mant}e${exponent < 0 ? '-' : '+'}${expAbs < 10 ? '0' : ''}${expAbs}`;
}

/** "%.17g": what LightGBM uses for thresholds, leaf values and prediction output. */
export function formatG17(x: number): string {
  return formatG(x, 17);
}
