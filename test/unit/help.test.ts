import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/io.js';
import { main } from '../../src/main.js';

/** Every command's --help, kept as file snapshots: a change to what users read shows up as a diff to review. */
describe('--help', () => {
    it.each(['', 'inspect', 'prepare', 'generate', 'apply', 'promote', 'cutover', 'release-pvc', 'completion'])('of "%s"', async (command) => {
        let out = '';
        const io: Io = { stdout: { write: (t: string) => (out += t), isTTY: false }, stderr: { write: () => true }, stdin: new PassThrough(), env: {} };
        expect(await main([...(command ? [command] : []), '--help'], io)).toBe(0);
        await expect(out).toMatchFileSnapshot(path.resolve('test/fixtures/help', `${command || 'root'}.txt`));
    });
});
