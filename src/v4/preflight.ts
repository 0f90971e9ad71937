/**
 * What decides a logical move, read through SQL on the v4 primary (PostgreSQL 11–13; the same SQL reads 14–18):
 * one query for the server and its roles, one run in each database. Each returns one JSON document, so the
 * answer is parsed, not scraped. Its tests run it on real PostgreSQL.
 */

/** The server: its version, wal_level, databases (with size, encoding and locale) and roles. */
export const SERVER_SQL = `
select json_build_object(
  'serverVersion', current_setting('server_version_num')::int,
  'walLevel', current_setting('wal_level'),
  'databases', (select coalesce(json_agg(json_build_object(
      'name', datname, 'encoding', pg_encoding_to_char(encoding), 'collate', datcollate, 'ctype', datctype,
      'bytes', pg_database_size(datname)) order by datname), '[]')
    from pg_database where not datistemplate and datallowconn),
  'roles', (select coalesce(json_agg(json_build_object(
      'name', rolname, 'login', rolcanlogin, 'superuser', rolsuper, 'replication', rolreplication) order by rolname), '[]')
    from pg_roles where rolname !~ '^pg_'))`;

/**
 * A database's tables whose UPDATE and DELETE logical replication cannot carry: no primary key and no replica
 * identity. Once a publication includes them, v4 itself refuses their UPDATE and DELETE.
 */
export const WITHOUT_KEY_SQL = `select format('%I.%I', n.nspname, c.relname)
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and c.relpersistence = 'p' and n.nspname not in ('pg_catalog', 'information_schema')
      and n.nspname !~ '^pg_toast' and c.relreplident not in ('f', 'i')
      and not exists (select 1 from pg_constraint k where k.conrelid = c.oid and k.contype = 'p')`;

/** One database: what logical replication cannot carry, its extensions and sequences. */
export const DATABASE_SQL = `
select json_build_object(
  'withoutKey', (select coalesce(json_agg(t order by t), '[]') from (${WITHOUT_KEY_SQL}) x(t)),
  'unlogged', (select coalesce(json_agg(format('%I.%I', n.nspname, c.relname) order by 1), '[]')
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind = 'r' and c.relpersistence = 'u'),
  'largeObjects', (select count(*) from pg_largeobject_metadata),
  'extensions', (select coalesce(json_agg(json_build_object('name', extname, 'version', extversion) order by extname), '[]')
    from pg_extension where extname <> 'plpgsql'),
  'sequences', (select count(*) from pg_sequences))`;

export interface ServerFacts {
    serverVersion: number;
    walLevel: string;
    databases: { name: string; encoding: string; collate: string; ctype: string; bytes: number }[];
    roles: { name: string; login: boolean; superuser: boolean; replication: boolean }[];
}

export interface DatabaseFacts {
    withoutKey: string[];
    unlogged: string[];
    largeObjects: number;
    extensions: { name: string; version: string }[];
    sequences: number;
}

/**
 * Roles the PGO v4 operator makes for itself (PGO v4.7.10 internal/config, `cluster-deployment.json`): the
 * superuser, replication, monitoring and pgBouncer users. A logical move carries the others only.
 */
export const V4_SYSTEM_ROLES = ['postgres', 'primaryuser', 'crunchyadm', 'ccp_monitoring', 'pgbouncer'];

export function parseServerFacts(json: string): ServerFacts {
    return JSON.parse(json) as ServerFacts;
}

export function parseDatabaseFacts(json: string): DatabaseFacts {
    return JSON.parse(json) as DatabaseFacts;
}

/** The roles a logical move carries: every one but v4's own. */
export function applicationRoles(s: ServerFacts): string[] {
    return s.roles.map((r) => r.name).filter((r) => !V4_SYSTEM_ROLES.includes(r));
}

/** What a replicate-and-cut-over move must be told, per database; a dump carries all of it. */
export function replicationFindings(s: ServerFacts, dbs: Map<string, DatabaseFacts>): { code: string; message: string }[] {
    const out: { code: string; message: string }[] = [];
    if (s.walLevel !== 'logical') {
        out.push({ code: 'wal-level', message: `wal_level is ${s.walLevel}: logical replication needs wal_level=logical (a restart of the v4 primary)` });
    }
    for (const [db, f] of dbs) {
        if (f.withoutKey.length > 0) {
            out.push({
                code: 'no-replica-identity',
                message: `database ${db}: ${f.withoutKey.join(', ')} have no primary key or replica identity: their UPDATE and DELETE cannot be replicated`,
            });
        }
        if (f.unlogged.length > 0) out.push({ code: 'unlogged', message: `database ${db}: unlogged tables ${f.unlogged.join(', ')} are not replicated` });
        if (f.largeObjects > 0) out.push({ code: 'large-objects', message: `database ${db}: ${f.largeObjects} large objects are not replicated` });
    }
    return out;
}
