/**
 * Whether a standby has replayed everything v4 archived: the proof `promote` makes before it promotes (issue: promoting
 * before the last WAL is replayed loses the last writes). A clean v4 shutdown switches to a new WAL segment so that
 * all its records are archived, the shutdown checkpoint alone going to the next, unarchived one (PostgreSQL
 * src/backend/access/transam/xlog.c ShutdownXLOG); the standby, replaying that last archived segment, ends at its
 * end, as a switch record is taken to extend to the end of its segment (src/backend/access/transam/xlogreader.c).
 * So the standby holds every write of v4 once its replay position has reached the end of the newest archived segment.
 */

/** An LSN as PostgreSQL prints it, `X/Y` in hex, as a number; null for anything else. */
export function lsn(text: string): bigint | null {
    const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text.trim());
    return m ? (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`) : null;
}

/** The LSN where a WAL segment file `TTTTTTTTXXXXXXXXYYYYYYYY` ends, for the cluster's segment size in bytes. */
export function segmentEnd(walFile: string, segmentSize: bigint): bigint | null {
    const m = /^[0-9A-F]{8}([0-9A-F]{8})([0-9A-F]{8})$/.exec(walFile);
    if (!m || segmentSize <= 0n) return null;
    const perId = 0x100000000n / segmentSize;
    const segno = BigInt(`0x${m[1]}`) * perId + BigInt(`0x${m[2]}`);
    return (segno + 1n) * segmentSize;
}

/**
 * The newest WAL segment in a stanza's archive, from `pgbackrest info --output json` (pgBackRest's info command:
 * one object per stanza, `name`, and `archive[]` of `{id, min, max}` per database version); null when there is none.
 */
export function archiveMax(infoJson: string, stanza: string): string | null {
    const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
    const get = (o: unknown, key: string): unknown => (typeof o === 'object' && o !== null && key in o ? Reflect.get(o, key) : undefined);
    const found = list(JSON.parse(infoJson)).find((s) => get(s, 'name') === stanza);
    const maxes = list(get(found, 'archive'))
        .map((a) => get(a, 'max'))
        .filter((m): m is string => typeof m === 'string' && m !== '');
    return maxes.sort().at(-1) ?? null;
}

export interface ReplayProof {
    /** The standby's `pg_last_wal_replay_lsn()`. */
    replayed: string;
    /** The newest archived segment, and the LSN where it ends. */
    archived: string;
    archivedEnd: string;
    ok: boolean;
}

const hex = (n: bigint) => `${(n >> 32n).toString(16).toUpperCase()}/${(n & 0xffffffffn).toString(16).toUpperCase()}`;

/** The comparison; null when an input is not what PostgreSQL and pgBackRest print. */
export function replayProof(replayed: string, segmentSize: string, archived: string): ReplayProof | null {
    const at = lsn(replayed);
    const end = segmentEnd(archived, BigInt(/^\d+$/.test(segmentSize.trim()) ? segmentSize.trim() : '0'));
    if (at === null || end === null) return null;
    return { replayed: replayed.trim(), archived, archivedEnd: hex(end), ok: at >= end };
}

/**
 * The replication role Patroni makes only when a cluster bootstraps (CrunchyData/postgres-operator#3087), which a
 * promoted standby therefore lacks: the guide's SQL (docs/content/upgrade/v4tov5/upgrade-method-3-standby-cluster.md),
 * made safe to run again. The role name is the operator's own (`_crunchyrepl`), never user input.
 */
export function replicationRoleSql(role: string): string {
    return [
        `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} WITH LOGIN REPLICATION; END IF; END $$;`,
        `GRANT EXECUTE ON function pg_catalog.pg_ls_dir(text, boolean, boolean) TO ${role};`,
        `GRANT EXECUTE ON function pg_catalog.pg_stat_file(text, boolean) TO ${role};`,
        `GRANT EXECUTE ON function pg_catalog.pg_read_binary_file(text) TO ${role};`,
        `GRANT EXECUTE ON function pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean) TO ${role};`,
    ].join('\n');
}

/** Whether the role is there with what the operator expects of it: LOGIN, REPLICATION and the four grants ("t" or "f", from psql -At). */
export const REPLICATION_ROLE_CHECK = (role: string) =>
    `SELECT coalesce((SELECT rolcanlogin AND rolreplication FROM pg_catalog.pg_roles WHERE rolname = '${role}'), false) AND ` +
    [
        'pg_catalog.pg_ls_dir(text, boolean, boolean)',
        'pg_catalog.pg_stat_file(text, boolean)',
        'pg_catalog.pg_read_binary_file(text)',
        'pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean)',
    ]
        .map((f) => `coalesce((SELECT has_function_privilege('${role}', '${f}', 'EXECUTE') FROM pg_catalog.pg_roles WHERE rolname = '${role}'), false)`)
        .join(' AND ');
