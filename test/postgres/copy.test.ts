import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COPY_SCRIPT } from '../../src/v5/copy-script.js';
import { startPostgres, type Server } from '../support/postgres.js';

/** Every table's rows, as one hash: equal on both sides means the same content. */
const TABLES = ['public.orders', 'public.events', 'app.notes'];
const contentHash = (pg: Server, table: string) => pg.psql(`select count(*) || ':' || coalesce(md5(string_agg(t::text, ',' order by t::text)), '') from ${table} t`, 'hippo');

describe('the logical copy script, from a PostgreSQL 13 "v4" into a PostgreSQL 18 "v5" (the stand-in for IvorySQL 5)', () => {
    let v4: Server;
    let v5: Server;
    let run: ReturnType<typeof spawnSync>;
    /** Both servers' connections, as the Job's environment gives them to the script. */
    const copyEnv = () => ({
        PATH: process.env.PATH,
        SOURCE_HOST: '127.0.0.1',
        SOURCE_PORT: String(v4.port),
        SOURCE_USER: 'postgres',
        TARGET_HOST: '127.0.0.1',
        TARGET_PORT: String(v5.port),
        TARGET_USER: 'postgres',
    });
    beforeAll(async () => {
        // Passwords are checked on the new server, as clients will log in: md5 (which also takes SCRAM hashes).
        [v4, v5] = await Promise.all([startPostgres(13), startPostgres(18, { hba: ['host all postgres 127.0.0.1/32 trust', 'host all all 127.0.0.1/32 md5'] })]);
        for (const sql of [
            "set password_encryption = 'md5'; create role hippo login password 'h1-md5'",
            "set password_encryption = 'scram-sha-256'; create role reporter login password 'r1-scram'",
            'create role readers nologin',
            'grant readers to reporter',
            'create role primaryuser login replication',
            'create database hippo owner hippo',
        ]) {
            v4.psql(sql);
        }
        for (const sql of [
            'create table orders (id bigserial primary key, note text)',
            'create table events (at timestamptz, what text)',
            'create schema app',
            'create table app.notes (id int primary key, body text)',
            "insert into orders (note) select 'order ' || i from generate_series(1, 2000) i",
            "insert into events select now() - i * interval '1 minute', 'event ' || i from generate_series(1, 500) i",
            "insert into app.notes select i, repeat('x', i) from generate_series(1, 100) i",
            'create extension pg_trgm',
            "select lo_from_bytea(4242, 'a large object')",
            'create view recent as select * from orders where id > 1990',
            'create function shout(t text) returns text language sql as $$ select upper(t) $$',
            'grant select on orders to readers',
            'alter table orders owner to hippo',
        ]) {
            v4.psql(sql, 'hippo');
        }
        const work = fs.mkdtempSync(path.join(os.tmpdir(), 'copy-'));
        fs.writeFileSync(path.join(work, 'copy.sh'), COPY_SCRIPT);
        run = spawnSync('bash', [path.join(work, 'copy.sh')], {
            encoding: 'utf8',
            env: { ...copyEnv(), WORK: work },
        });
    }, 120_000);
    afterAll(async () => {
        await v4?.stop();
        await v5?.stop();
    });

    it('runs to its end', () => {
        expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
        expect(run.stdout).toBe('copy: roles\ncopy: database hippo\ncopy: done\n');
    });

    it('carries every table row for row, the sequence, the large object, the extension, the view and the function', () => {
        for (const t of TABLES) expect(contentHash(v5, t), t).toBe(contentHash(v4, t));
        expect(Number(v5.psql('select last_value from orders_id_seq', 'hippo'))).toBeGreaterThanOrEqual(Number(v4.psql('select last_value from orders_id_seq', 'hippo')));
        expect(v5.psql("select convert_from(lo_get(4242), 'UTF8')", 'hippo')).toBe('a large object');
        expect(v5.psql("select extname from pg_extension where extname = 'pg_trgm'", 'hippo')).toBe('pg_trgm');
        expect(v5.psql('select count(*) from recent', 'hippo')).toBe('10');
        expect(v5.psql("select shout('hippo')", 'hippo')).toBe('HIPPO');
    });

    it("carries the application roles with their password hashes, memberships, ownership and grants; not v4's own roles", () => {
        expect(v5.login('hippo', 'h1-md5', 'hippo')).toEqual({ ok: true, output: 'hippo' });
        expect(v5.login('reporter', 'r1-scram', 'hippo')).toEqual({ ok: true, output: 'reporter' });
        expect(v5.login('hippo', 'wrong', 'hippo').ok).toBe(false);
        expect(v5.psql("select pg_has_role('reporter', 'readers', 'member')")).toBe('t');
        expect(v5.psql("select tableowner from pg_tables where tablename = 'orders'", 'hippo')).toBe('hippo');
        expect(v5.psql("select has_table_privilege('readers', 'orders', 'select')", 'hippo')).toBe('t');
        expect(v5.psql("select pg_get_userbyid(datdba) from pg_database where datname = 'hippo'")).toBe('hippo');
        expect(v5.psql("select count(*) from pg_roles where rolname = 'primaryuser'")).toBe('0');
    });

    it('refuses to copy into a database that exists on the target already, changing nothing', () => {
        const again = spawnSync('bash', ['-c', COPY_SCRIPT], {
            encoding: 'utf8',
            env: copyEnv(),
        });
        expect(again.status).toBe(1);
        expect(again.stderr).toContain('copy: database hippo exists on the target already');
        expect(contentHash(v5, 'public.orders')).toBe(contentHash(v4, 'public.orders'));
    });
});
