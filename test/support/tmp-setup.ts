import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * One temporary folder for the whole run: TMPDIR points into it, so every folder a test, the plugin or a
 * helper makes with os.tmpdir() lands there, and teardown removes it all. Workers and the plugin's child
 * processes inherit TMPDIR from this process. Every project lists this setup; the first one makes the folder
 * and owns it, the others use it.
 */
const MARK = 'IVYO_UPGRADE_TESTS_TMPDIR';
let owned: string | undefined;

export function setup(): void {
    if (process.env[MARK]) return;
    owned = fs.mkdtempSync(path.join(os.tmpdir(), 'ivyo-upgrade-tests-'));
    process.env[MARK] = owned;
    process.env.TMPDIR = owned;
}

export function teardown(): void {
    if (owned) fs.rmSync(owned, { recursive: true, force: true });
}
