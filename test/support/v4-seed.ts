import type { Server } from './postgres.js';

/**
 * A v4-like PostgreSQL: an application database `hippo` owned by `hippo` (md5 password), a `reporter` (SCRAM)
 * in group `readers`, v4's replication user, and in `hippo`: tables with and without a primary key, a sequence,
 * an extension from contrib, a view, a function and grants.
 */
export function seedV4(v4: Server): void {
    for (const sql of [
        "set password_encryption = 'md5'; create role hippo login password 'h1-md5'",
        "set password_encryption = 'scram-sha-256'; create role reporter login password 'r1-scram'",
        'create role readers nologin',
        'grant readers to reporter',
        'create role primaryuser login replication',
        'create database hippo owner hippo',
        'revoke connect on database hippo from public',
        'grant connect on database hippo to hippo, readers',
        'alter database hippo set work_mem = $$8MB$$',
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
        'create view recent as select * from orders where id > 1990',
        'create function shout(t text) returns text language sql as $$ select upper(t) $$',
        'grant select on orders to readers',
        'alter table orders owner to hippo',
        'alter table events owner to hippo',
        'alter table app.notes owner to hippo',
        'alter schema app owner to hippo',
    ]) {
        v4.psql(sql, 'hippo');
    }
}

/** Every table's rows, as one hash: equal on both sides means the same content. */
export const SEEDED_TABLES = ['public.orders', 'public.events', 'app.notes'];
export const contentHash = (pg: Server, table: string) =>
    pg.psql(`select count(*) || ':' || coalesce(md5(string_agg(t::text, ',' order by t::text)), '') from ${table} t`, 'hippo');

/** Where the moved roles are checked: md5 for every role but postgres, as clients log in. */
export const V5_HBA = ['host all postgres 127.0.0.1/32 trust', 'host all all 127.0.0.1/32 md5'];

/** Both servers' connections, as a Job's environment gives them to the scripts. */
export const scriptEnv = (v4: Server, v5: Server, work: string) => ({
    PATH: process.env.PATH,
    SOURCE_HOST: '127.0.0.1',
    SOURCE_PORT: String(v4.port),
    SOURCE_USER: 'postgres',
    TARGET_HOST: '127.0.0.1',
    TARGET_PORT: String(v5.port),
    TARGET_USER: 'postgres',
    WORK: work,
});
