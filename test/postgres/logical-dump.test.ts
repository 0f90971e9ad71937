import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COPY_SCRIPT } from '../../src/v5/logical-scripts.js';
import { startPostgres, type Server } from '../support/postgres.js';
import { contentHash, scriptEnv, SEEDED_TABLES, seedV4, V5_HBA } from '../support/v4-seed.js';

/**
 * A second database, without large objects, so its rows are streamed table by table: what pg_dump's pre-data
 * leaves out until the post-data (indexes, foreign keys, triggers, a materialized view's rows), columns whose
 * order or kind COPY must respect (a dropped one, a generated one, an identity one, an inheritance child whose
 * columns are in another order than a fresh CREATE gives), a table with a column of a user type (so copied as
 * text, the others in binary), a partitioned table, and sequences (one set with is_called false).
 */
function seedStreamed(v4: Server): void {
    v4.psql('create database shop owner hippo');
    for (const sql of [
        'create table customers (id int generated always as identity primary key, name text not null, dropped int, email text unique)',
        'alter table customers drop column dropped',
        'create table orders (id bigserial primary key, customer int not null references customers, total numeric(10,2), doubled numeric generated always as (total * 2) stored)',
        'create index orders_customer on orders (customer)',
        "create type kind as enum ('note', 'change')",
        "create table audit (at timestamptz default now(), what text, kind kind default 'change')",
        "create function log_order() returns trigger language plpgsql as $$ begin insert into audit (what) values ('order ' || new.id); return new; end $$",
        'create trigger orders_audit after insert on orders for each row execute function log_order()',
        'create table measures (at date not null, v int) partition by range (at)',
        "create table measures_2025 partition of measures for values from ('2025-01-01') to ('2026-01-01')",
        "create table measures_2026 partition of measures for values from ('2026-01-01') to ('2027-01-01')",
        'create table base (a int, b text)',
        'create table child (c int) inherits (base)',
        'alter table base add column d text',
        "insert into customers (name, email) select 'customer ' || i, i || '@example.com' from generate_series(1, 300) i",
        'insert into orders (customer, total) select 1 + i % 300, i / 10.0 from generate_series(1, 3000) i',
        "insert into measures select date '2025-06-01' + i, i from generate_series(1, 400) i",
        "insert into child (a, b, c, d) select i, 'b' || i, i * 2, 'd' || i from generate_series(1, 50) i",
        'create materialized view customer_totals as select customer, sum(total) total from orders group by customer',
        'create sequence invoice_no start 1000',
        "select nextval('invoice_no') from generate_series(1, 7)",
        'create sequence ticket_no',
        "select setval('ticket_no', 500, false)",
        'grant select on customer_totals to readers',
    ]) {
        v4.psql(sql, 'shop');
    }
}
const STREAMED_TABLES = ['customers', 'orders', 'audit', 'measures', 'base', 'child', 'customer_totals'];
// Column by column, by name (jsonb orders its keys): an inheritance child's columns come in another order on the target.
const shopHash = (pg: Server, table: string) =>
    pg.psql(`select count(*) || ':' || coalesce(md5(string_agg(to_jsonb(t)::text, ',' order by to_jsonb(t)::text)), '') from ${table} t`, 'shop');

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
        seedStreamed(v4);
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
        expect(run.stdout).toBe(
            'copy: roles\ncopy: database hippo (large objects or extension configuration: pg_dump -Fd, pg_restore)\ncopy: database shop: 7 tables (6 in binary), 2 at a time\ncopy: done, 2 databases: hippo shop\n',
        );
    });

    it('carries every table row for row, the sequence, the large object, the extension, the view and the function', () => {
        for (const t of SEEDED_TABLES) expect(contentHash(v5, t), t).toBe(contentHash(v4, t));
        expect(Number(v5.psql('select last_value from orders_id_seq', 'hippo'))).toBeGreaterThanOrEqual(Number(v4.psql('select last_value from orders_id_seq', 'hippo')));
        expect(v5.psql("select convert_from(lo_get(4242), 'UTF8')", 'hippo')).toBe('a large object');
        expect(v5.psql("select extname from pg_extension where extname = 'pg_trgm'", 'hippo')).toBe('pg_trgm');
        expect(v5.psql('select count(*) from recent', 'hippo')).toBe('10');
        expect(v5.psql("select shout('hippo')", 'hippo')).toBe('HIPPO');
    });

    it('streams a database table by table in one snapshot: every row, the post-data objects after the rows, the sequences', () => {
        for (const table of STREAMED_TABLES) expect(shopHash(v5, table), table).toBe(shopHash(v4, table));
        // The trigger came after the rows: the audit rows are v4's, not written again by the copy.
        expect(v5.psql('select count(*) from audit', 'shop')).toBe('3000');
        const constraints = "select string_agg(conname || ' ' || contype::text, ', ' order by conname) from pg_constraint where conrelid = 'orders'::regclass and contype <> 'n'";
        expect(v5.psql(constraints, 'shop')).toBe(v4.psql(constraints, 'shop'));
        expect(v5.psql("select indexdef from pg_indexes where indexname = 'orders_customer'", 'shop')).toBe('CREATE INDEX orders_customer ON public.orders USING btree (customer)');
        expect(v5.psql("select tgname from pg_trigger where tgrelid = 'orders'::regclass and not tgisinternal", 'shop')).toBe('orders_audit');
        // New rows take the next values of the identity and the serial, and the trigger fires.
        expect(v5.psql("insert into customers (name) values ('new') returning id", 'shop').split('\n')[0]).toBe('301');
        expect(v5.psql('insert into orders (customer, total) values (301, 1) returning id, doubled', 'shop').split('\n')[0]).toBe('3001|2.00');
        expect(v5.psql("select nextval('invoice_no')", 'shop')).toBe('1007');
        expect(v5.psql("select nextval('ticket_no')", 'shop')).toBe('500');
        expect(v5.psql('select count(*) from audit', 'shop')).toBe('3001');
        expect(v5.psql("select has_table_privilege('readers', 'customer_totals', 'select')", 'shop')).toBe('t');
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
