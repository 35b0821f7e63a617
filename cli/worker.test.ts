// Tests `fanfare worker`'s arguments: both queues by default or the one --only names; a mistake names the rule.
import { describe, expect, it } from 'vitest';
import { parseWorkerArgs } from './worker.ts';

describe('fanfare worker arguments', () => {
  it('serves both queues by default, or the one named by --only', () => {
    expect(parseWorkerArgs([])).toEqual({});
    expect(parseWorkerArgs(['--only', 'main'])).toEqual({ only: 'main' });
    expect(parseWorkerArgs(['--only', 'training'])).toEqual({ only: 'training' });
  });

  it('names the flag and the rule on bad input', () => {
    expect(() => parseWorkerArgs(['--only'])).toThrow('--only: needs a value');
    expect(() => parseWorkerArgs(['--only', 'digests'])).toThrow('--only: must be "main" or "training", got "digests"');
    expect(() => parseWorkerArgs(['--queue', 'x'])).toThrow('unknown argument "--queue"');
  });
});
