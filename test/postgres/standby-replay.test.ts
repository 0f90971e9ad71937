import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { replayProof } from '../../src/v5/replay.js';
import { serverOwns, startPostgres, type Server } from '../support/postgres.js';

const servers: Server[] = [];
afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
});

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
/** The WAL segments in an archive directory, oldest first (their names sort so). */
const segments = (dir: string) =>
    fs
        .readdirSync(dir)
        .filter((f) => /^[0-9A-F]{24}$/.test(f))
        .sort();

/** The standby's replay position once it stops moving (it restores each archived segment in turn). */
async function settled(standby: Server): Promise<string> {
    let last = '';
    for (let stable = 0, i = 0; stable < 3 && i < 150; i++) {
        const now = standby.psql('select pg_last_wal_replay_lsn()');
        stable = now === last ? stable + 1 : 0;
        last = now;
        await new Promise((r) => setTimeout(r, 200));
    }
    return last;
}

/**
 * What promote's proof rests on, on real servers: v4 as a primary archiving its WAL, shut down cleanly; a standby
 * made from a cold copy taken before the last writes, restoring from that archive. The proof holds exactly when the
 * standby has every row, and fails when the archive's last segment has not been replayed.
 */
describe.each([13, 18] as const)('the replay proof of promote, on real PostgreSQL %d', (major) => {
    it('a clean shutdown archives every record: the standby reaches the end of the newest archived segment, with every row; without that segment, the proof fails and rows are missing', async () => {
        const archive = tmp('archive-');
        serverOwns(archive);
        const settings = { archive_mode: 'on', archive_command: `cp %p ${archive}/%f` };
        const v4 = await startPostgres(major, { settings });
        servers.push(v4);
        v4.psql('create table t (i int); insert into t select generate_series(1, 1000); checkpoint');
        await v4.halt();
        const base = tmp('base-');
        fs.cpSync(v4.dataDir, base, { recursive: true });
        serverOwns(base);
        const behind = tmp('base-behind-');
        fs.cpSync(v4.dataDir, behind, { recursive: true });
        serverOwns(behind);

        // v4 runs on, takes more writes, and shuts down the way v4's operator has it shut down (a clean stop).
        const again = await startPostgres(major, { settings, data: v4.dataDir });
        servers.push(again);
        again.psql('insert into t select generate_series(1001, 2000)');
        await again.halt();
        const archived = segments(archive);
        const newest = archived.at(-1) ?? '';

        const standby = await startPostgres(major, { settings: { restore_command: `cp ${archive}/%f %p` }, data: base, standby: true });
        servers.push(standby);
        const replayed = await settled(standby);
        const size = standby.psql("select setting from pg_settings where name = 'wal_segment_size'");
        expect(replayProof(replayed, size, newest)).toMatchObject({ ok: true, archived: newest });
        expect(standby.psql('select count(*) from t')).toBe('2000');

        // The same standby had the newest segment not reached the repository yet: the proof fails, and rows are missing.
        const partial = tmp('archive-partial-');
        for (const f of archived.slice(0, -1)) fs.copyFileSync(path.join(archive, f), path.join(partial, f));
        serverOwns(partial);
        const lagging = await startPostgres(major, { settings: { restore_command: `cp ${partial}/%f %p` }, data: behind, standby: true });
        servers.push(lagging);
        const short = await settled(lagging);
        expect(replayProof(short, size, newest)).toMatchObject({ ok: false });
        expect(Number(lagging.psql('select count(*) from t'))).toBeLessThan(2000);
    }, 120_000);
});
