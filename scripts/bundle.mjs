// The one esbuild configuration: src/bin.ts into a single CommonJS file with a node shebang that needs no
// node_modules. CommonJS because a Node 20 single-executable application runs only CommonJS; yargs 18
// reads import.meta.url, which esbuild empties in CommonJS, so it is defined from __filename.
import { build } from 'esbuild';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const absent = path.resolve('scripts/stubs/absent.cjs');
const nodeUrl = path.resolve('scripts/stubs/node-url.cjs');

/**
 * client-node's KubeConfig imports its generated API index for two names it needs only to make API clients,
 * which this tool never does (it sends its own requests): the index pulls in every generated API, most of the
 * bundle. Its two names come from their own modules instead.
 */
const clientNodeParts = {
    name: 'client-node-parts',
    setup(b) {
        b.onResolve({ filter: /^\.\/gen\/index\.js$/ }, (args) =>
            args.importer.endsWith(path.join('@kubernetes', 'client-node', 'dist', 'config.js')) ? { path: args.importer, namespace: 'client-node-gen' } : undefined,
        );
        b.onLoad({ filter: /.*/, namespace: 'client-node-gen' }, (args) => ({
            resolveDir: path.join(path.dirname(args.path), 'gen'),
            contents: "export { createConfiguration } from './configuration.js';\nexport { ServerConfiguration } from './servers.js';\n",
        }));
    },
};

/**
 * Every --help text, rendered now by src/help.ts (which the tests check against the executable's): the executable
 * answers --help from them (src/quick.ts) without loading the rest of the bundle. They depend on nothing at run time.
 */
async function helpTable() {
    // Inside node_modules, so the module's bare imports resolve to this repo's dependencies.
    const dir = mkdtempSync(path.resolve('node_modules/.cache/help-'));
    const out = path.join(dir, 'help.mjs');
    try {
        await build({
            entryPoints: ['src/help.ts'],
            outfile: out,
            bundle: true,
            platform: 'node',
            format: 'esm',
            target: 'node20',
            packages: 'external',
            define,
            logLevel: 'warning',
        });
        return (await import(pathToFileURL(out).href)).helpTable();
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

const define = { __VERSION__: JSON.stringify(pkg.version) };

export async function bundle(outfile) {
    mkdirSync(path.dirname(outfile), { recursive: true });
    mkdirSync(path.resolve('node_modules/.cache'), { recursive: true });
    await build({
        entryPoints: ['src/bin.ts'],
        outfile,
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        minify: true,
        legalComments: 'none',
        alias: { bufferutil: absent, 'utf-8-validate': absent, encoding: absent, 'supports-color': absent, 'whatwg-url': nodeUrl },
        define: { ...define, __HELP__: JSON.stringify(await helpTable()), 'import.meta.url': '__import_meta_url' },
        banner: { js: "#!/usr/bin/env node\nconst __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
        logLevel: 'warning',
        plugins: [clientNodeParts],
    });
    // An extensionless file is CommonJS unless a package.json above it says otherwise; say it here.
    writeFileSync(path.join(path.dirname(outfile), 'package.json'), '{ "type": "commonjs" }\n');
    chmodSync(outfile, 0o755);
}
