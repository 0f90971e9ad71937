import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationRoles, DATABASE_SQL, parseDatabaseFacts, logicalFindings, parsePreflight, parseServerFacts, SERVER_SQL } from '../../src/v4/preflight.js';
import { PREFLIGHT_SCRIPT } from '../../src/v5/logical-scripts.js';
import { startPostgres, type Server } from '../support/postgres.js';

/** A v4-like PostgreSQL 13: v4's system roles, an application role and database, and what replication cannot carry. */
const SEED = [
    "create role primaryuser login replication password 'p1'",
    'create role ccp_monitoring login',
    "create role hippo login password 'h1'",
    "set password_encryption = 'scram-sha-256'; create role reporter login password 'r1'",
    'create database hippo owner hippo',
];
const SEED_HIPPO = [
    'create table orders (id bigserial primary key, note text)',
    'create table events (at timestamptz, what text)',
    'create unlogged table scratch (x int)',
    'create extension pg_trgm',
    "select lo_from_bytea(0, 'a large object')",
    'create view recent as select * from orders',
];

describe.each([13, 18] as const)('preflight SQL on real PostgreSQL %d', (major) => {
    let pg: Server;
    beforeAll(async () => {
        pg = await startPostgres(major);
        for (const sql of SEED) pg.psql(sql);
        for (const sql of SEED_HIPPO) pg.psql(sql, 'hippo');
    }, 60_000);
    afterAll(() => pg?.stop());

    it('reads the server: version, wal_level, databases with encoding and size, roles', () => {
        const s = parseServerFacts(pg.psql(SERVER_SQL));
        expect(Math.floor(s.serverVersion / 10000)).toBe(major);
        expect(s.walLevel).toBe('logical');
        expect(s.databases.map((d) => d.name)).toEqual(['hippo', 'postgres']);
        expect(s.databases[0]).toMatchObject({ encoding: 'UTF8', collate: 'C' });
        expect(s.databases[0]?.bytes).toBeGreaterThan(1_000_000);
        expect(s.roles.map((r) => r.name)).toEqual(['ccp_monitoring', 'hippo', 'postgres', 'primaryuser', 'reporter']);
        expect(applicationRoles(s)).toEqual(['hippo', 'reporter']);
    });

    it('reads a database: tables without a key, unlogged tables, large objects, extensions, sequences', () => {
        const f = parseDatabaseFacts(pg.psql(DATABASE_SQL, 'hippo'));
        expect(f).toEqual({
            withoutKey: ['public.events'],
            tables: 3,
            unlogged: ['public.scratch'],
            largeObjects: 1,
            extensions: [{ name: 'pg_trgm', version: expect.any(String) }],
            sequences: 1,
        });
        const server = parseServerFacts(pg.psql(SERVER_SQL));
        const found = logicalFindings({ server, databases: { hippo: f } });
        expect(found.blockers).toEqual([]);
        expect(found.replicate.map((x) => x.code)).toEqual(['no-replica-identity', 'large-objects']);
        expect(found.warnings.map((x) => x.code)).toEqual(['unlogged', 'extensions']);
        expect(logicalFindings({ server: { ...server, walLevel: 'replica' }, databases: {} }).replicate.map((x) => x.code)).toEqual(['wal-level']);
    });

    it('the preflight script, which needs only the source, answers in one JSON document: on stdout and in its result file', () => {
        const result = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-')), 'termination-log');
        const r = spawnSync('bash', ['-c', PREFLIGHT_SCRIPT], {
            encoding: 'utf8',
            env: { PATH: process.env.PATH, SOURCE_HOST: '127.0.0.1', SOURCE_PORT: String(pg.port), SOURCE_USER: 'postgres', RESULT_FILE: result },
        });
        expect(r.status, r.stderr).toBe(0);
        const facts = parsePreflight(fs.readFileSync(result, 'utf8'));
        expect(JSON.parse(r.stdout)).toEqual(JSON.parse(fs.readFileSync(result, 'utf8')));
        expect(facts.server.roles.map((x) => x.name)).toContain('reporter');
        expect(Object.keys(facts.databases)).toEqual(['postgres', 'hippo']);
        expect(facts.databases.hippo?.withoutKey).toEqual(['public.events']);
        expect(facts.databases.postgres?.tables).toBe(0);
    });
});
