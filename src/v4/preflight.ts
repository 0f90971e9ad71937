import type { Finding } from './inspection.js';

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
  'tables', (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_toast'),
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
    /** Tables and partitioned tables outside the system schemas. */
    tables: number;
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

/**
 * The application users of v4 cluster `cluster`, from the names of its Secrets `<cluster>-<user>-secret`
 * (v4 internal/util/secrets.go): not v4's own roles, nor the exporter's Secret `<cluster>-exporter-secret`
 * (internal/util/exporter.go, the credentials of ccp_monitoring).
 */
export function applicationUsers(cluster: string, secretNames: string[]): string[] {
    const prefix = `${cluster}-`;
    return secretNames
        .filter((s) => s.startsWith(prefix) && s.endsWith('-secret'))
        .map((s) => s.slice(prefix.length, -'-secret'.length))
        .filter((u) => u !== '' && u !== 'exporter' && !V4_SYSTEM_ROLES.includes(u));
}

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

/** The preflight script's answer: the server, and each database by name (`postgres` included). */
export interface PreflightFacts {
    server: ServerFacts;
    databases: Record<string, DatabaseFacts>;
}

/** The preflight script's JSON; anything else (a cut or empty termination message) is refused, not guessed at. */
export function parsePreflight(json: string): PreflightFacts {
    const p = JSON.parse(json) as Partial<PreflightFacts> | null;
    if (!p || typeof p.server?.serverVersion !== 'number' || typeof p.databases !== 'object' || p.databases === null) throw new Error('not a preflight answer');
    return p as PreflightFacts;
}

/**
 * What the facts mean for the move. `blockers` stop either copy; `replicate` stop `--copy replicate` only
 * (a dump carries all of it); `warnings` need care.
 */
export function logicalFindings(p: PreflightFacts): { blockers: Finding[]; replicate: Finding[]; warnings: Finding[] } {
    const blockers: Finding[] = [];
    const replicate: Finding[] = [];
    const warnings: Finding[] = [];
    if ((p.databases.postgres?.tables ?? 0) > 0) {
        blockers.push({
            code: 'postgres-database-tables',
            message: `the database postgres holds ${p.databases.postgres?.tables} tables, which the move does not carry (it moves the application databases): move them into an application database first`,
        });
    }
    if (p.server.walLevel !== 'logical') {
        replicate.push({
            code: 'wal-level',
            message: `wal_level is ${p.server.walLevel}: --copy replicate needs wal_level=logical (a restart of the v4 primary); --copy dump does not`,
        });
    }
    for (const [db, f] of Object.entries(p.databases)) {
        if (f.withoutKey.length > 0) {
            replicate.push({
                code: 'no-replica-identity',
                message: `database ${db}: ${f.withoutKey.join(', ')} have no primary key or replica identity: once published, v4 would refuse their UPDATE and DELETE; add a key or REPLICA IDENTITY FULL, or use --copy dump`,
            });
        }
        if (f.largeObjects > 0) replicate.push({ code: 'large-objects', message: `database ${db}: ${f.largeObjects} large objects are not replicated: use --copy dump` });
        if (f.unlogged.length > 0)
            warnings.push({ code: 'unlogged', message: `database ${db}: the rows of unlogged tables ${f.unlogged.join(', ')} are not replicated (--copy dump carries them)` });
        if (f.extensions.length > 0) {
            warnings.push({
                code: 'extensions',
                message: `database ${db} uses extensions ${f.extensions.map((e) => `${e.name} ${e.version}`).join(', ')}: the target's image must offer them (the copy checks before it writes)`,
            });
        }
    }
    return { blockers, replicate, warnings };
}
