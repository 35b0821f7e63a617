// Tests that formatG prints exactly what glibc's printf prints, including round-half-even ties.
import { describe, expect, it } from 'vitest';
import { formatG, formatG17 } from './number-format.ts';

describe('formatG', () => {
  // Expected strings come from glibc printf("%g") / printf("%.17g").
  const cases: [number, string, string][] = [
    [1234565, '1.23456e+06', '1234565'],
    [1234575, '1.23458e+06', '1234575'],
    [1234.125, '1234.12', '1234.125'],
    [2 ** -25, '2.98023e-08', '2.9802322387695312e-08'],
    [123456.5, '123456', '123456.5'],
    [1e-5, '1e-05', '1.0000000000000001e-05'],
    [0.0001, '0.0001', '0.0001'],
    [100000, '100000', '100000'],
    [1e6, '1e+06', '1000000'],
    [1e21, '1e+21', '1e+21'],
    [1.5e300, '1.5e+300', '1.5000000000000001e+300'],
    [-0, '-0', '-0'],
    [0, '0', '0'],
    [Math.fround(1e-35), '1e-35', '1.0000000180025095e-35'],
    [-4685301.7327811327, '-4.6853e+06', '-4685301.7327811327'],
    [5e-324, '4.94066e-324', '4.9406564584124654e-324'],
  ];
  it.each(cases)('prints %s as glibc does', (x, g, g17) => {
    expect(formatG(x, 6)).toBe(g);
    expect(formatG17(x)).toBe(g17);
  });

  it('round-trips random doubles at 17 digits', () => {
    const view = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < 20000; i += 1) {
      view.setUint32(0, (Math.random() * 2 ** 32) >>> 0);
      view.setUint32(4, (Math.random() * 2 ** 32) >>> 0);
      const x = view.getFloat64(0);
      if (!Number.isFinite(x)) continue;
      expect(Number(formatG17(x))).toBe(x);
    }
  });

  it('prints non-finite values as C does', () => {
    expect(formatG(NaN)).toBe('nan');
    expect(formatG(Infinity)).toBe('inf');
    expect(formatG(-Infinity)).toBe('-inf');
  });
});
