// Runs a TypeScript script of this repo on plain Node 20: esbuild bundles it (dependencies stay external)
// into a temporary ES module, which is then imported. Usage: node scripts/run.mjs scripts/demo.ts [args...]
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...args] = process.argv.slice(2);
// Inside node_modules, so the bundle's bare imports resolve to this repo's dependencies.
const cache = path.resolve('node_modules/.cache');
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(path.join(cache, 'ivyo-upgrade-run-'));
const outfile = path.join(dir, 'script.mjs');
await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
process.argv = [process.argv[0], entry, ...args];
try {
    await import(pathToFileURL(outfile).href);
} finally {
    rmSync(dir, { recursive: true, force: true });
}
