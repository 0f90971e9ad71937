import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/io.js';
import { confirm } from '../../src/output/prompt.js';

function terminal(answer: string | null, isTTY = true) {
    const stdin = Object.assign(new PassThrough(), { isTTY });
    let stderr = '';
    const io: Io = { stdin, stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, env: {} };
    if (answer !== null) setTimeout(() => stdin.end(answer), 10);
    return { io, stderr: () => stderr };
}

describe('confirm', () => {
    it.each([
        ['y\n', true],
        ['yes\n', true],
        ['Y\n', true],
        ['n\n', false],
        ['\n', false],
        ['sure\n', false],
        ['', false],
    ])('answers %j → %s, asking kubectl-style on stderr', async (answer, expected) => {
        const t = terminal(answer);
        expect(await confirm(t.io, false)).toBe(expected);
        expect(t.stderr()).toBe('Do you want to continue? (y/N) ');
    });

    it('goes ahead without asking with --yes', async () => {
        const t = terminal(null, false);
        expect(await confirm(t.io, true)).toBe(true);
        expect(t.stderr()).toBe('');
    });

    it('refuses with exit 3 when stdin is not a terminal and --yes is absent', async () => {
        await expect(confirm(terminal(null, false).io, false)).rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining('pass --yes') });
    });
});
