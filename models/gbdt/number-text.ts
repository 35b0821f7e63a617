// Parses a number from data-file bytes exactly as LightGBM's fast text parser, so both engines see the same doubles.

/** LightGBM computes 10^n by this recursion; matching it keeps the last bit of every parsed value equal. */
function pow10(power: number): number {
  if (power < 0) return 1 / pow10(-power);
  if (power === 0) return 1;
  return powBase(10, power);
}

function powBase(base: number, power: number): number {
  if (power === 0) return 1;
  if (power % 2 === 0) return powBase(base * base, power / 2);
  if (power % 3 === 0) return powBase(base * base * base, power / 3);
  return base * powBase(base, power - 1);
}

const POW10 = Array.from({ length: 64 }, (_, i) => pow10(i));

const CH_0 = 48;
const CH_9 = 57;
const CH_DOT = 46;
const CH_MINUS = 45;
const CH_PLUS = 43;
const CH_E = 101;
const CH_UPPER_E = 69;
const CH_SPACE = 32;

/**
 * The number in bytes[start, end), or undefined when the token is not a number.
 * An empty token and na/nan/null mean missing (NaN); inf/infinity are infinite.
 */
export function parseNumberBytes(bytes: Uint8Array, start: number, end: number): number | undefined {
  let p = start;
  while (p < end && bytes[p] === CH_SPACE) p++;
  while (end > p && (bytes[end - 1] === CH_SPACE || bytes[end - 1] === 13)) end--;
  if (p === end) return NaN;
  let sign = 1;
  if (bytes[p] === CH_MINUS) {
    sign = -1;
    p++;
  } else if (bytes[p] === CH_PLUS) {
    p++;
  }
  const c0 = bytes[p];
  if ((c0 >= CH_0 && c0 <= CH_9) || c0 === CH_DOT || c0 === CH_E || c0 === CH_UPPER_E) {
    let value = 0;
    let digits = 0;
    for (; p < end && bytes[p] >= CH_0 && bytes[p] <= CH_9; p++, digits++) value = value * 10 + (bytes[p] - CH_0);
    if (p < end && bytes[p] === CH_DOT) {
      p++;
      let right = 0;
      let nn = 0;
      for (; p < end && bytes[p] >= CH_0 && bytes[p] <= CH_9; p++, nn++) right = bytes[p] - CH_0 + right * 10;
      digits += nn;
      value += right / (nn < 64 ? POW10[nn] : pow10(nn));
    }
    if (digits === 0) return undefined;
    let negativeExponent = false;
    let scale = 1;
    if (p < end && (bytes[p] === CH_E || bytes[p] === CH_UPPER_E)) {
      p++;
      if (bytes[p] === CH_MINUS) {
        negativeExponent = true;
        p++;
      } else if (bytes[p] === CH_PLUS) {
        p++;
      }
      let expon = 0;
      const expStart = p;
      for (; p < end && bytes[p] >= CH_0 && bytes[p] <= CH_9; p++)
        expon = Math.min(expon * 10 + (bytes[p] - CH_0), 1e6);
      if (p === expStart) return undefined;
      if (expon > 308) expon = 308;
      while (expon >= 50) {
        scale *= 1e50;
        expon -= 50;
      }
      while (expon >= 8) {
        scale *= 1e8;
        expon -= 8;
      }
      while (expon > 0) {
        scale *= 10;
        expon -= 1;
      }
    }
    if (p !== end) return undefined;
    return sign * (negativeExponent ? value / scale : value * scale);
  }
  const word = String.fromCharCode(...bytes.subarray(p, end)).toLowerCase();
  if (word === 'na' || word === 'nan' || word === 'null') return NaN;
  if (word === 'inf' || word === 'infinity') return sign * Infinity;
  return undefined;
}

/** Convenience for strings (tests, side files). */
export function parseNumberText(text: string): number | undefined {
  const bytes = Buffer.from(text, 'latin1');
  return parseNumberBytes(bytes, 0, bytes.length);
}
