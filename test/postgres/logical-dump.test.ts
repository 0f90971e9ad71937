import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COPY_SCRIPT } from '../../src/v5/logical-scripts.js';
import { startPostgres, type Server } from '../support/postgres.js';
import { contentHash, scriptEnv, SEEDED_TABLES, seedV4, V5_HBA } from '../support/v4-seed.js';

describe('the dump copy script, from a PostgreSQL 13 "v4" into a PostgreSQL 18 "v5" (the stand-in for IvorySQL 5)', () => {
    let v4: Server;
    let v5: Server;
    let work: string;
    let run: ReturnType<typeof spawnSync>;
    const copy = () => spawnSync('bash', ['-c', COPY_SCRIPT], { encoding: 'utf8', env: scriptEnv(v4, v5, work) });
    beforeAll(async () => {
        [v4, v5] = await Promise.all([startPostgres(13), startPostgres(18, { hba: V5_HBA })]);
        seedV4(v4);
        v4.psql("select lo_from_bytea(4242, 'a large object')", 'hippo');
        work = fs.mkdtempSync(path.join(os.tmpdir(), 'copy-'));
        v4.psql('create table stray (x int)');
        // An extension only the v4 server has: its files go into v4's own extension folder.
        const extensions = path.join(v4.psql("select setting from pg_config where name = 'SHAREDIR'"), 'extension');
        fs.writeFileSync(path.join(extensions, 'ivyo_probe.control'), "default_version = '1.0'\nrelocatable = true\n");
        fs.writeFileSync(path.join(extensions, 'ivyo_probe--1.0.sql'), 'create function ivyo_probe() returns int language sql as $$ select 1 $$;\n');
        v4.psql('create extension ivyo_probe', 'hippo');
        run = copy();
    }, 120_000);
    afterAll(async () => {
        await v4?.stop();
        await v5?.stop();
    });

    it("refuses before any write, naming all it cannot carry: tables in the postgres database, an extension the target's server lacks", () => {
        expect(run.status).toBe(1);
        expect(run.stderr).toContain('the database postgres on the source holds tables (public.stray)');
        expect(run.stderr).toContain("database hippo uses extension ivyo_probe, which the target's image does not offer");
        expect(v5.psql("select count(*) from pg_roles where rolname = 'hippo'")).toBe('0');
        v4.psql('drop table stray');
        v4.psql('drop extension ivyo_probe', 'hippo');
        run = copy();
    });

    it('runs to its end', () => {
        expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
        expect(run.stdout).toBe('copy: roles\ncopy: database hippo\ncopy: done\n');
    });

    it('carries every table row for row, the sequence, the large object, the extension, the view and the function', () => {
        for (const t of SEEDED_TABLES) expect(contentHash(v5, t), t).toBe(contentHash(v4, t));
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
        expect(v5.psql("select has_database_privilege('reporter', 'hippo', 'connect') and not has_database_privilege('public', 'hippo', 'connect')")).toBe('t');
        expect(v5.psql("select setconfig from pg_db_role_setting s join pg_database d on d.oid = s.setdatabase where d.datname = 'hippo'")).toBe('{work_mem=8MB}');
        expect(v5.psql("select count(*) from pg_roles where rolname = 'primaryuser'")).toBe('0');
    });

    it('refuses to copy into a database that exists on the target already, changing nothing', () => {
        const again = copy();
        expect(again.status).toBe(1);
        expect(again.stderr).toContain('copy: database hippo exists on the target already');
        expect(contentHash(v5, 'public.orders')).toBe(contentHash(v4, 'public.orders'));
    });
});
