// Bundles src/bin.ts into dist/kubectl-ivyo_upgrade: one CommonJS file with a node shebang that needs no
// node_modules. CommonJS because a Node 20 single-executable application runs only CommonJS; yargs 18
// reads import.meta.url, which esbuild empties in CommonJS, so it is defined from __filename.
import { build } from 'esbuild';
import { chmodSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const out = 'dist/kubectl-ivyo_upgrade';
mkdirSync('dist', { recursive: true });
await build({
    entryPoints: ['src/bin.ts'],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    define: { __VERSION__: JSON.stringify(pkg.version), 'import.meta.url': '__import_meta_url' },
    banner: { js: "#!/usr/bin/env node\nconst __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
});
// An extensionless file is CommonJS unless a package.json above it says otherwise; say it here.
writeFileSync('dist/package.json', '{ "type": "commonjs" }\n');
chmodSync(out, 0o755);
console.error(`built ${out} (version ${pkg.version})`);
