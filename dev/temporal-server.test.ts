// The Temporal server's pieces that need no server: its configuration, the schema tool's steps, finding the binaries.
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readToolPaths } from '../app/config.ts';
import {
  choosePorts,
  locateTemporalServer,
  SCHEMA_NAMES,
  schemaSteps,
  sqlConnection,
  sqlToolArgs,
  temporalServerConfig,
} from './temporal-server.ts';

const databases = {
  serverUrl: 'postgres://temporal:p%40ss@db.internal:6543/',
  main: 'fanfare_temporal',
  visibility: 'fanfare_temporal_visibility',
};

describe('the Temporal server configuration', () => {
  it('keeps both stores on PostgreSQL with the given databases, credentials and ports', async () => {
    const ports = await choosePorts(17233);
    const config = JSON.parse(temporalServerConfig({ databases, ports, historyShards: 8 }));
    expect(config.persistence.numHistoryShards).toBe(8);
    const stores = config.persistence.datastores;
    expect(config.persistence.defaultStore).toBe('default');
    expect(config.persistence.visibilityStore).toBe('visibility');
    for (const [name, database] of [
      ['default', 'fanfare_temporal'],
      ['visibility', 'fanfare_temporal_visibility'],
    ]) {
      expect(stores[name].sql).toMatchObject({
        pluginName: 'postgres12',
        databaseName: database,
        connectAddr: 'db.internal:6543',
        user: 'temporal',
        password: 'p@ss',
      });
    }
    expect(config.services.frontend.rpc).toMatchObject({ grpcPort: 17233, httpPort: ports.frontendHttp });
    expect(config.clusterMetadata.clusterInformation.active.rpcAddress).toBe('127.0.0.1:17233');
    // The server keeps membership ports in a smallint column.
    const membership = ['frontend', 'history', 'matching', 'worker'].map((s) => config.services[s].rpc.membershipPort);
    for (const port of membership) expect(port).toBeLessThanOrEqual(32_767);
    expect(new Set([...membership, ...Object.values(ports)]).size).toBe(Object.values(ports).length);
  });

  it('runs the schema tool idempotently on each database, the password kept out of its arguments', () => {
    expect(sqlConnection('postgres://127.0.0.1/')).toEqual({
      host: '127.0.0.1',
      port: 5432,
      user: 'postgres',
      password: '',
    });
    const c = sqlConnection(databases.serverUrl);
    expect(schemaSteps(SCHEMA_NAMES.visibility)).toEqual([
      ['create-database'],
      ['setup-schema', '--version', '0.0'],
      ['update-schema', '--schema-name', 'postgresql/v12/visibility'],
    ]);
    const args = sqlToolArgs(c, 'fanfare_temporal', ['create-database']);
    expect(args.join(' ')).toBe(
      '--plugin postgres12 --endpoint db.internal --port 6543 --user temporal --db fanfare_temporal create-database',
    );
    expect(args.join(' ')).not.toContain('p@ss');
  });
});

describe('locateTemporalServer', () => {
  it('takes TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH, refusing one that is not executable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fanfare-ts-'));
    const server = join(dir, 'server');
    const sql = join(dir, 'sql');
    await writeFile(server, '#!/bin/sh\n');
    await writeFile(sql, '#!/bin/sh\n');
    await chmod(server, 0o755);
    const env = { TEMPORAL_SERVER_PATH: server, TEMPORAL_SQL_TOOL_PATH: sql, FANFARE_CACHE: dir, PATH: '' };
    await expect(locateTemporalServer(readToolPaths(env))).rejects.toThrow(/^TEMPORAL_SQL_TOOL_PATH must name an/);
    await chmod(sql, 0o755);
    expect(await locateTemporalServer(readToolPaths(env))).toEqual({ server, sqlTool: sql });
    // Nothing given and nothing cached: neither is found (findTemporalServer would build both).
    expect(await locateTemporalServer(readToolPaths({ FANFARE_CACHE: dir, PATH: '' }))).toEqual({
      server: undefined,
      sqlTool: undefined,
    });
  });
});
