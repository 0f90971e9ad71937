import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** docs/architecture.md's layers, lowest first: a module may import from its own layer or a lower one. */
const LAYERS: string[][] = [
    ['errors.ts', 'io.ts', 'version.ts'],
    ['targets/'],
    ['kube/'],
    ['v4/'],
    ['v5/'],
    ['output/'],
    ['plan/'],
    ['rbac.ts', 'completion.ts'],
    ['commands/'],
    ['cli.ts', 'quick.ts', 'help.ts', 'main.ts', 'bin.ts'],
];

const SRC = path.resolve('src');

function layerOf(file: string): number {
    const rel = path.relative(SRC, file).split(path.sep).join('/');
    const i = LAYERS.findIndex((names) => names.some((n) => (n.endsWith('/') ? rel.startsWith(n) : rel === n)));
    if (i < 0) throw new Error(`src/${rel} is in no layer of docs/architecture.md`);
    return i;
}

function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
    });
}

/** Every relative import of a file (static and dynamic), resolved to the .ts file it names. */
function importsOf(file: string): string[] {
    const text = fs.readFileSync(file, 'utf8');
    return [...text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts')));
}

describe('imports point one way (docs/architecture.md)', () => {
    it('no module of src imports from a layer above its own', () => {
        const upward = sources(SRC).flatMap((file) =>
            importsOf(file)
                .filter((target) => layerOf(target) > layerOf(file))
                .map((target) => `${path.relative(SRC, file)} → ${path.relative(SRC, target)}`),
        );
        expect(upward).toEqual([]);
    });

    it('the check sees an upward import when there is one', () => {
        expect(layerOf(path.join(SRC, 'v4/model.ts'))).toBeLessThan(layerOf(path.join(SRC, 'v5/manifest.ts')));
        expect(importsOf(path.join(SRC, 'v5/manifest.ts'))).toContain(path.join(SRC, 'v4/inspection.ts'));
    });
});
