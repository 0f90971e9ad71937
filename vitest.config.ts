import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
    define: { __VERSION__: JSON.stringify(pkg.version) },
    test: {
        projects: [
            // Every project's temporary folders go into one that teardown removes (test/support/tmp-setup.ts).
            { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], globalSetup: ['test/support/tmp-setup.ts'] } },
            // Real PostgreSQL servers on loopback (test/support/postgres.ts): the SQL the tool runs.
            { extends: true, test: { name: 'postgres', include: ['test/postgres/**/*.test.ts'], globalSetup: ['test/support/tmp-setup.ts'], hookTimeout: 60_000 } },
            // What `npm run package` made (npm test runs it first): archives and the krew manifest.
            { extends: true, test: { name: 'package', include: ['test/package/**/*.test.ts'], globalSetup: ['test/support/tmp-setup.ts'] } },
            {
                extends: true,
                test: {
                    name: 'e2e',
                    include: ['test/e2e/**/*.test.ts'],
                    // One real control plane for the whole run; each file works in its own namespace.
                    globalSetup: ['test/support/tmp-setup.ts', 'test/e2e/global-setup.ts'],
                    // Files run one after another: one of them removes and restores CRDs for the whole server.
                    fileParallelism: false,
                    testTimeout: 60_000,
                    hookTimeout: 120_000,
                },
            },
        ],
    },
});
