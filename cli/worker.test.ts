import { describe, expect, it } from 'vitest';
import { parseWorkerArgs } from './worker.ts';

describe('fanfare worker arguments', () => {
  it('serves both queues by default, or the one named by --only', () => {
    expect(parseWorkerArgs([])).toEqual({});
    expect(parseWorkerArgs(['--only', 'main'])).toEqual({ only: 'main' });
    expect(parseWorkerArgs(['--only', 'training'])).toEqual({ only: 'training' });
  });

  it('names the flag and the rule on bad input', () => {
    expect(() => parseWorkerArgs(['--only'])).toThrow('--only: must be one of main, training');
    expect(() => parseWorkerArgs(['--only', 'digests'])).toThrow('--only: must be one of main, training');
    expect(() => parseWorkerArgs(['--queue', 'x'])).toThrow('unknown argument "--queue"');
  });
});
