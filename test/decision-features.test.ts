// decisions.features: a page's feature rows written in one binary parameter read back bit for bit, row by row.

import { describe, expect, it } from 'vitest';
import { featureValues, insertDecisions } from '../db/decisions.ts';
import { insertEvent } from '../db/events.ts';
import { seedAudience } from '../testing/audience.ts';
import { useTestSchema } from '../testing/db.ts';

const db = useTestSchema('decision_features');

describe('decisions.features', () => {
  it('keeps each decision its own row, bit for bit (NaN, -0, the extremes), and none where there is none', async () => {
    const audience = await seedAudience(db().pool, {
      fans: 4,
      handle: 'rows',
      subscribe: (i) => ({ endpoint: `https://push.example/rows/${i}`, keys: { p256dh: `k${i}`, auth: `a${i}` } }),
    });
    const { event } = await insertEvent(db().pool, {
      creatorId: audience.creatorId,
      kind: 'post',
      title: 'Rows',
      url: 'https://creators.example/rows',
      audience: { rule: 'all' },
      idempotencyKey: 'rows',
      deadline: null,
    });
    const rows = [
      Float64Array.of(0.1, Number.NaN, -0, 1e-308, Number.MAX_VALUE, -Number.MIN_VALUE, 3),
      null,
      Float64Array.of(Number.POSITIVE_INFINITY, 2 / 3),
      new Float64Array(0).subarray(0, 0),
    ];
    const decision = (fan: number, features: Float64Array | null) => ({
      fanId: audience.fanIds[fan],
      channel: 'email' as const,
      action: 'digest' as const,
      sendAt: null,
      policy: 'default',
      reason: 'digest_below_alert_threshold' as const,
      reasonDetail: { fan, quote: `"\\{${fan}}` },
      score: 0.2,
      modelVersion: 1,
      features,
      contributions: null,
    });
    await insertDecisions(
      db().pool,
      event.id,
      rows.map((f, i) => decision(i, f)),
    );
    const { rows: stored } = await db().pool.query(
      `select fan_id, features, reason_detail from decisions where event_id = $1::bigint order by fan_id`,
      [event.id],
    );
    expect(stored).toHaveLength(4);
    for (const [i, r] of stored.entries()) {
      expect(r.reason_detail).toEqual({ fan: i, quote: `"\\{${i}}` });
      const want = rows[i];
      if (want === null) {
        expect(r.features).toBeNull();
        continue;
      }
      const got = featureValues(r.features);
      expect(got).toHaveLength(want.length);
      for (const [f, x] of want.entries()) expect(Object.is(got[f], x), `fan ${i} feature ${f}`).toBe(true);
    }
  });
});
