import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** This repository's root: the nearest folder above this module (or its bundle) that has a package.json. */
export function repoRoot(): string {
    let dir = path.dirname(fileURLToPath(import.meta.url));
    while (!fs.existsSync(path.join(dir, 'package.json')) || dir.split(path.sep).includes('node_modules')) {
        const up = path.dirname(dir);
        if (up === dir) throw new Error('cannot find the repository root');
        dir = up;
    }
    return dir;
}
