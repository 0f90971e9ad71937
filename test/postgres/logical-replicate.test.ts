import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUTOVER_SCRIPT, PUBLICATION, REPLICATE_SCRIPT, SLOT_PREFIX } from '../../src/v5/logical-scripts.js';
import { startPostgres, type Server } from '../support/postgres.js';
import { contentHash, scriptEnv, SEEDED_TABLES, seedV4, V5_HBA } from '../support/v4-seed.js';

/**
 * An application writing to v4 the whole time: it connects as `hippo` for every transaction (as a pool
 * reconnecting would) and inserts, updates and deletes. Each committed transaction is one line in `log`.
 */
function writeLoad(v4: Server, log: string): ChildProcess {
    const sql =
        "insert into orders (note) values ('load'); update app.notes set body = body || 'y' where id = 1 + (random() * 99)::int; " +
        "delete from orders where id = (select min(id) from orders); insert into events values (now(), 'load')";
    const loop = `while :; do psql -h 127.0.0.1 -p ${v4.port} -U hippo -d hippo -XAtq -c "${sql}" > /dev/null 2>&1 && echo ok >> '${log}' || sleep 0.05; done`;
    return spawn('bash', ['-c', loop], { stdio: 'ignore', detached: true, env: { ...process.env, PGPASSWORD: 'h1-md5' } });
}
const committed = (log: string) => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').length - 1 : 0);
const until = async (what: () => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!what()) {
        if (Date.now() > deadline) throw new Error('timed out');
        await new Promise((r) => setTimeout(r, 100));
    }
};

describe('replicate, then cut over, from a PostgreSQL 13 "v4" into a PostgreSQL 18 "v5", under a running write load', () => {
    let v4: Server;
    let v5: Server;
    let work: string;
    let load: ChildProcess | undefined;
    const log = () => path.join(work, 'load.log');
    const step = (script: string, env: Record<string, string> = {}) => spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...scriptEnv(v4, v5, work), ...env } });
    beforeAll(async () => {
        [v4, v5] = await Promise.all([startPostgres(13), startPostgres(18, { hba: V5_HBA })]);
        seedV4(v4);
        // Sequences whose state only last_value and is_called together tell: one set to give 500 next, one the
        // target will have moved past v4 by the cut-over.
        v4.psql("create sequence ticket_no; select setval('ticket_no', 500, false); create sequence ahead; select nextval('ahead') from generate_series(1, 10)", 'hippo');
        work = fs.mkdtempSync(path.join(os.tmpdir(), 'replicate-'));
    }, 120_000);
    afterAll(async () => {
        if (load?.pid) process.kill(-load.pid, 'SIGKILL');
        await v4?.stop();
        await v5?.stop();
    });

    it('refuses before any write while a table has no key or replica identity, or large objects exist', () => {
        v4.psql("select lo_from_bytea(7, 'x')", 'hippo');
        const r = step(REPLICATE_SCRIPT);
        expect(r.status).toBe(1);
        expect(r.stderr).toContain('database hippo: public.events have no primary key or replica identity');
        expect(r.stderr).toContain('database hippo holds large objects');
        expect(v5.psql("select count(*) from pg_database where datname = 'hippo'")).toBe('0');
        expect(v4.psql('select count(*) from pg_publication', 'hippo')).toBe('0');
        v4.psql('alter table events replica identity full; select lo_unlink(7)', 'hippo');
    });

    it('copies the schema, publishes on v4, subscribes on v5 and waits until every table is synchronised, while v4 takes writes', async () => {
        load = writeLoad(v4, log());
        await until(() => committed(log()) > 20, 30_000);
        const r = step(REPLICATE_SCRIPT);
        expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
        expect(r.stdout).toContain('replicate: database hippo: 3 of 3 tables synchronised');
        expect(r.stdout).toMatch(/replicate: lag of ivyo_upgrade_\d+: /);
        expect(v5.psql('select count(*) from pg_subscription_rel where srsubstate <> $$r$$', 'hippo')).toBe('0');
        expect(v4.psql(`select pubname from pg_publication`, 'hippo')).toBe(PUBLICATION);
        const again = step(REPLICATE_SCRIPT);
        expect(again.stdout).toContain('replicate: database hippo is replicating already');
    }, 120_000);

    it('cuts over while the application still writes and v5 lags: v4 logins stop, v5 has every row and every sequence value, nothing of the move is left on v4', async () => {
        // v5 falls behind: a lock holds its apply worker for 3 s while the application goes on writing to v4.
        spawn('psql', ['-h', '127.0.0.1', '-p', String(v5.port), '-U', 'postgres', '-d', 'hippo', '-Xqc', 'begin; lock table orders; select pg_sleep(3); commit'], {
            stdio: 'ignore',
        });
        const before = committed(log());
        await until(() => committed(log()) > before + 20, 30_000);
        v5.psql("select setval('ahead', 900)", 'hippo');
        const r = step(CUTOVER_SCRIPT);
        expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
        expect(r.stdout).toContain('cutover: logins stopped on the source for: hippo reporter');
        expect(r.stdout).toContain('cutover: the target has replayed everything the source wrote');
        expect(r.stdout).toContain('cutover: every table has as many rows on the target as on the source');
        const after = committed(log());
        await new Promise((res) => setTimeout(res, 500));
        expect(committed(log()), 'no write reaches v4 after the cut-over').toBe(after);
        if (load?.pid) process.kill(-load.pid, 'SIGKILL');
        load = undefined;

        for (const t of SEEDED_TABLES) expect(contentHash(v5, t), t).toBe(contentHash(v4, t));
        expect(Number(v5.psql('select last_value from orders_id_seq', 'hippo'))).toBe(Number(v4.psql('select last_value from orders_id_seq', 'hippo')));
        expect(v5.psql("select nextval('ticket_no')", 'hippo')).toBe('500');
        expect(v5.psql("select nextval('ahead')", 'hippo'), 'never backwards').toBe('901');
        expect(v4.psql('select count(*) from pg_publication', 'hippo')).toBe('0');
        expect(v4.psql(`select count(*) from pg_replication_slots where slot_name like '${SLOT_PREFIX}%'`)).toBe('0');
        expect(v5.psql('select count(*) from pg_subscription', 'hippo')).toBe('0');
        expect(v4.login('hippo', 'h1-md5', 'hippo').output).toContain('not permitted to log in');
        expect(v5.login('hippo', 'h1-md5', 'hippo')).toEqual({ ok: true, output: 'hippo' });
        expect(v5.login('reporter', 'r1-scram', 'hippo')).toEqual({ ok: true, output: 'reporter' });
        // v5 is writable, and its sequence goes on past v4's last key.
        v5.psql("insert into orders (note) values ('on v5')", 'hippo');
    }, 120_000);

    it('is done once done: a re-run cuts nothing and never sets a sequence backwards; the undo gives v4 its logins back', () => {
        const v5Seq = v5.psql('select last_value from orders_id_seq', 'hippo');
        const again = step(CUTOVER_SCRIPT);
        expect(again.status).toBe(0);
        expect(again.stdout).toContain('cutover: no replication of this move on the source: nothing to cut over');
        expect(v5.psql('select last_value from orders_id_seq', 'hippo')).toBe(v5Seq);
        const undo = step(CUTOVER_SCRIPT, { UNDO: '1' });
        expect(undo.status, undo.stderr).toBe(0);
        expect(v4.login('hippo', 'h1-md5', 'hippo')).toEqual({ ok: true, output: 'hippo' });
    });
});
