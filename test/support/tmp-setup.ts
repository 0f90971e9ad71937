import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * One temporary folder for the whole run: TMPDIR points into it, so every folder a test, the plugin or a
 * helper makes with os.tmpdir() lands there, and teardown removes it all. Workers and the plugin's child
 * processes inherit TMPDIR from this process.
 */
let dir: string | undefined;

export function setup(): void {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ivyo-upgrade-tests-'));
    process.env.TMPDIR = dir;
}

export function teardown(): void {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
