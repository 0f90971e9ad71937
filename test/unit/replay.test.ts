import { describe, expect, it } from 'vitest';
import { archiveMax, lsn, replayProof, segmentEnd } from '../../src/v5/replay.js';

describe("the replay proof's arithmetic (real servers prove its meaning in test/postgres/standby-replay.test.ts)", () => {
    it('reads LSNs and the end of a WAL segment, for 16 MB and other segment sizes', () => {
        expect(lsn('0/6000000')).toBe(0x6000000n);
        expect(lsn('1A/FF000028')).toBe((0x1an << 32n) + 0xff000028n);
        expect(lsn('not/an/lsn')).toBeNull();
        // Segment 0x…00000001/000000FF of 16 MB ends where the next logical file begins.
        expect(segmentEnd('0000000100000001000000FF', 16777216n)).toBe(0x200000000n);
        expect(segmentEnd('000000010000000000000005', 16777216n)).toBe(0x6000000n);
        // 1 GB segments: four to a logical file.
        expect(segmentEnd('000000020000000300000002', 1073741824n)).toBe((3n << 32n) + 3n * 1073741824n);
        expect(segmentEnd('00000001000000000000000', 16777216n)).toBeNull();
    });

    it("takes the newest archived segment of the stanza from pgbackrest info's JSON, across database versions", () => {
        const info = JSON.stringify([
            { name: 'other', archive: [{ id: '13-1', min: '000000010000000000000001', max: '0000000100000000000000FF' }] },
            {
                name: 'db',
                archive: [
                    { id: '12-1', min: '000000010000000000000001', max: '000000010000000000000009' },
                    { id: '13-2', min: '00000002000000000000000A', max: '00000002000000000000000C' },
                ],
            },
        ]);
        expect(archiveMax(info, 'db')).toBe('00000002000000000000000C');
        expect(archiveMax('[{"name":"db","archive":[]}]', 'db')).toBeNull();
    });

    it('holds at or past the end of the newest segment, not a byte before; null for what PostgreSQL does not print', () => {
        expect(replayProof('0/6000000', '16777216', '000000010000000000000005')).toEqual({
            replayed: '0/6000000',
            archived: '000000010000000000000005',
            archivedEnd: '0/6000000',
            ok: true,
        });
        expect(replayProof('0/5FFFFFF', '16777216', '000000010000000000000005')?.ok).toBe(false);
        expect(replayProof('', '16777216', '000000010000000000000005')).toBeNull();
        expect(replayProof('0/6000000', '16MB', '000000010000000000000005')).toBeNull();
    });
});
