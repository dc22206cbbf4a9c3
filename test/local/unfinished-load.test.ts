import { describe, expect, it } from 'vitest';
import { unfinishedLoad } from '../../local/unfinished-load';

describe('unfinishedLoad (what npm start says before exiting 1)', () => {
  it('names the lock for a skipped load and the time limit for a stopped one, with the pending count', () => {
    expect(unfinishedLoad({ outcome: 'skipped', pendingBatches: 3 })).toBe(
      'load skipped: another loader holds the warehouse lock; 3 batch(es) still pending',
    );
    expect(unfinishedLoad({ outcome: 'deadline', pendingBatches: 2 })).toBe('load stopped at its time limit; 2 batch(es) still pending');
  });

  it('says nothing of a load that ran to the end', () => {
    expect(unfinishedLoad({ outcome: 'completed', pendingBatches: 0 })).toBeUndefined();
  });
});
