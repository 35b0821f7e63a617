// Property: no request to any registered route, however malformed, gets a 5xx or writes a row.
//
// fast-check (fixed seed) throws generated paths, query strings, headers and bodies at every route of the real API
// over a seeded PostgreSQL schema; afterwards every table holds exactly the rows it held before.
import { request } from 'node:http';
import { Client } from '@temporalio/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig, readToolPaths } from '../app/config.ts';
import { createAuth } from '../auth/auth.ts';
import { vapidKeys } from '../delivery/keys.ts';
import { createTokenSigner } from '../delivery/tokens.ts';
import { createApi } from '../http/api.ts';
import { type HttpApp, routeTable } from '../http/app.ts';
import { consoleCacheDir } from '../http/console-static.ts';
import { type SeededAudience, seedAudience } from '../testing/audience.ts';
import { creatorAuthorization } from '../testing/creator-keys.ts';
import { useTestSchema } from '../testing/db.ts';
import { TEST_TRACKING_KEYS } from '../testing/deliveries.ts';
import { memberCookie } from '../testing/team.ts';

const TOKEN = 'property-admin-token-0123456789abc';
const RUNS_PER_ROUTE = 40;
const db = useTestSchema('no_5xx');
let app: HttpApp;
let port: number;
let audience: SeededAudience;
/** An editor's session: the routes behind a console login see a member as well as the ADMIN_TOKEN service. */
let session: string;
/** A live key of the seeded creator, so bodies get past the creator routes' login to their validators. */
let creatorKey: string;
const signer = createTokenSigner(TEST_TRACKING_KEYS);

beforeAll(async () => {
  audience = await seedAudience(db().pool, {
    fans: 2,
    noPush: [0, 1],
    subscribe: () => {
      throw new Error('no push subscriptions in this test');
    },
  });
  // The VAPID keys are generated and stored on first use; make them now, so that any later write is the test's.
  await vapidKeys(db().pool);
  session = await memberCookie(db().pool, 'mia', 'editor');
  creatorKey = await creatorAuthorization(db().pool, audience.creatorId);
  app = await createApi(
    {
      pool: db().pool,
      temporal: new Client(),
      // Forged tokens are thrown by the thousand from one address: a lockout would keep the right ones from the checks.
      auth: createAuth(db().pool, readConfig({ TOKEN_FAILURES_PER_ADDRESS: '1000000' }).auth),
      adminToken: TOKEN,
      fan: { trackingKeys: TEST_TRACKING_KEYS },
      console: { cacheDir: consoleCacheDir(readToolPaths().cacheDir), log: () => undefined },
    },
    { log: () => undefined },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as { port: number }).port;
});

afterAll(async () => {
  await app?.close();
});

/** Row counts of every table of the schema. */
async function rowCounts(): Promise<Record<string, number>> {
  const tables = await db().pool.query(
    `select table_name from information_schema.tables
     where table_schema = current_schema() and table_type = 'BASE TABLE'`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of tables.rows) {
    // Counting wrong bearer tokens per address is the throttle's record of refusals, not something an input wrote.
    const where = table_name === 'rate_limits' ? ` where key not like 'token-address:%'` : '';
    counts[table_name] = (await db().pool.query(`select count(*)::int as n from "${table_name}"${where}`)).rows[0].n;
  }
  return counts;
}

interface Attempt {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

function send(a: Attempt): Promise<number> {
  return new Promise((resolve, reject) => {
    // A connection per request: a server that answers before reading a body may close the socket, which a reused
    // keep-alive socket would report as a reset of the next request.
    const options = { host: '127.0.0.1', port, method: a.method, path: a.path, headers: a.headers, agent: false };
    const req = request(options, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(a.body);
  });
}

/** Text that breaks things: NUL, lone surrogates, percent signs, huge and odd numbers, very long values. */
const nasty = fc.oneof(
  fc.constantFrom(
    '%',
    '%zz',
    '%E0%A4%A',
    '%00',
    '\u0000',
    '\ud800',
    '99999999999999999999',
    '9223372036854775808',
    '2147483648',
    '1e20',
    '-1',
    '0',
    '1',
    '1.5',
    'NaN',
    '',
    ' ',
    'null',
    '__proto__',
    '../../etc/passwd',
    'a'.repeat(3000),
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

/** A character as percent-escaped UTF-8 (a lone surrogate becomes U+FFFD, as a client would send it). */
const percentEscape = (c: string) => [...Buffer.from(c)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

/** A path segment as it would appear on the wire: raw nasty text with the characters HTTP forbids escaped. */
const segment = nasty.map((s) => s.replace(/[^\x21-\x7e]|[/?#]/g, percentEscape));

const query = fc.dictionary(fc.constantFrom('q', 'limit', 'days', 'token', 'id', 'x'), nasty, { maxKeys: 3 });

/** Values that no field accepts: nasty text, and numbers beyond every column's range or not integers. */
const badValue = fc.oneof(nasty, fc.constantFrom(2 ** 31, 2 ** 53, 1e20, -1, 1.5, null, [], {}));

/**
 * A body that passes every check but one: one field of a good body replaced by a bad value. The event names a creator
 * other than the key's, so even a body the schema accepts is refused (403) before the rate limit and the insert.
 */
function oneFieldWrong(base: Record<string, unknown>) {
  return fc
    .record({ key: fc.constantFrom(...Object.keys(base)), value: badValue, nul: fc.boolean() })
    .map(({ key, value, nul }) => {
      // Half the time the field keeps its good value with a NUL inside, which only PostgreSQL would refuse.
      const wrong = nul && typeof base[key] === 'string' ? `${base[key]}\u0000` : value;
      return JSON.stringify({ ...base, [key]: wrong });
    });
}

const EVENT = {
  creatorId: 987654,
  kind: 'post',
  title: 'New episode',
  url: 'https://creators.example/p/1',
  audience: { rule: 'tier', minTier: 1 },
  idempotencyKey: 'k-1',
  deadline: '2099-01-01T00:00:00Z',
};
const PREFERENCES = {
  emailEnabled: true,
  pushEnabled: true,
  digestCadence: 'daily',
  digestHour: 8,
  quietHours: { start: 22, end: 7 },
  mutedCreatorIds: [],
};

const jsonish = fc.oneof(
  { weight: 3, arbitrary: oneFieldWrong(EVENT) },
  { weight: 2, arbitrary: oneFieldWrong(PREFERENCES) },
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  badValue.map((v) => JSON.stringify(v)),
  nasty,
  fc.constantFrom('{"a":', '{"minTier":1e400}', 'List-Unsubscribe=One-Click', '{"__proto__":{"x":1}}'),
);

const extraHeaders = fc.record(
  {
    origin: fc.constantFrom('null', 'garbage', 'https://evil.example', 'http://127.0.0.1'),
    // Mostly JSON, so that bodies get past the parser to the checks behind it.
    'content-type': fc.oneof(
      { weight: 6, arbitrary: fc.constant('application/json') },
      fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=latin1',
        'garbage',
      ),
    ),
    'x-fanfare-actor': nasty.map((s) => s.replace(/[^\x20-\x7e]/g, '?')),
  },
  { requiredKeys: [] },
);

/**
 * Credentials a request may carry: none, forged ones, and most often (to reach the checks behind the login) the real
 * admin token, a member's session, a live creator key or a genuine preferences link token of a seeded fan.
 */
function credentials() {
  const expiresAt = new Date(Date.now() + 3_600_000);
  const fanToken = signer.sign({ purpose: 'preferences', fanId: audience.fanIds[0], expiresAt });
  return fc.oneof(
    fc.constant({}),
    fc.constant({ authorization: 'Bearer wrong' }),
    fc.constant({ cookie: 'fanfare_session=forged' }),
    fc.constant({ authorization: 'Bearer ffk_1_forged' }),
    { weight: 3, arbitrary: fc.constant({ authorization: `Bearer ${TOKEN}` }) },
    { weight: 2, arbitrary: fc.constant({ cookie: session }) },
    { weight: 3, arbitrary: fc.constant({ authorization: creatorKey }) },
    { weight: 3, arbitrary: fc.constant({ authorization: `Bearer ${fanToken}` }) },
  );
}

function attempt(route: { method: string; path: string }) {
  return fc
    .record({
      method: fc.oneof(
        { weight: 4, arbitrary: fc.constant(route.method) },
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
      ),
      params: fc.array(segment, { minLength: 4, maxLength: 4 }),
      keepParam: fc.boolean(),
      query,
      rawQuery: fc.oneof(fc.constant(''), segment),
      credentials: credentials(),
      headers: extraHeaders,
      body: fc.option(jsonish, { nil: undefined, freq: 5 }),
    })
    .map(({ method, params, keepParam, query, rawQuery, credentials, headers, body }): Attempt => {
      let i = 0;
      const path = route.path.replace(/:[a-zA-Z]+/g, () => (keepParam && i++ === 0 ? '1' : params[i++ % 4]));
      const q = Object.entries(query).map(([k, v]) => `${k}=${v.replace(/[^\x21-\x7e]|[#&]/g, percentEscape)}`);
      if (rawQuery) q.push(rawQuery);
      const sendBody = method !== 'GET' && body !== undefined;
      return {
        method,
        path: q.length ? `${path}?${q.join('&')}` : path,
        headers: { ...headers, ...credentials },
        body: sendBody ? body : undefined,
      };
    });
}

describe('every route, fed bad input', () => {
  it('never answers 5xx and never writes', async () => {
    const before = await rowCounts();
    const routes = routeTable(app);
    expect(routes.length).toBeGreaterThan(30);
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(attempt(route), async (a) => {
          const status = await send(a);
          expect(status, `${a.method} ${a.path} ${JSON.stringify(a.headers)} ${a.body ?? ''}`).toBeLessThan(500);
        }),
        { seed: 20261207, numRuns: RUNS_PER_ROUTE },
      );
    }
    expect(await rowCounts()).toEqual(before);
  }, 120_000);
});
