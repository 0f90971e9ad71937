import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/io.js';
import { main } from '../../src/main.js';

function io(env: NodeJS.ProcessEnv = {}) {
    const out = { stdout: '', stderr: '' };
    const value: Io = {
        stdout: { write: (s: string) => (out.stdout += s), isTTY: false },
        stderr: { write: (s: string) => (out.stderr += s), isTTY: false },
        stdin: new PassThrough(),
        env,
    };
    return { io: value, out };
}

describe('main(argv, io)', () => {
    it('prints the version injected at build time', async () => {
        const { io: i, out } = io();
        expect(await main(['--version'], i)).toBe(0);
        const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
        expect(out.stdout).toBe(`${version}\n`);
    });

    it('shows kubectl-style usage with examples', async () => {
        const { io: i, out } = io();
        expect(await main(['inspect', '--help'], i)).toBe(0);
        expect(out.stdout).toContain('kubectl ivyo-upgrade inspect [cluster]');
        expect(out.stdout).toContain('kubectl ivyo-upgrade inspect -A');
        expect(out.stdout).toMatch(/-n, --namespace/);
        expect(out.stdout).not.toMatch(/\u001b\[/);
    });

    it('exits 2 with a one-line error and a pointer to help for usage errors', async () => {
        for (const argv of [[], ['inspect', '--output', 'xml'], ['inspect', '--request-timeout', 'soon'], ['frobnicate']]) {
            const { io: i, out } = io();
            expect(await main(argv, i)).toBe(2);
            expect(out.stdout).toBe('');
            expect(out.stderr.split('\n')[0]).toMatch(/^error: /);
            expect(out.stderr).toMatch(/See 'kubectl ivyo-upgrade (\w+ )?--help' for usage\.\n$/);
        }
    });

    it('exits 1 without a stack trace when there is no kubeconfig', async () => {
        const { io: i, out } = io({ KUBECONFIG: '/nonexistent/kubeconfig' });
        expect(await main(['inspect', 'hippo'], i)).toBe(1);
        expect(out.stderr).toBe('error: no kubeconfig found: KUBECONFIG (/nonexistent/kubeconfig) names no existing file; pass --kubeconfig FILE or set KUBECONFIG\n');
    });

    it('adds the stack trace with --debug', async () => {
        const { io: i, out } = io({ KUBECONFIG: '/nonexistent/kubeconfig' });
        expect(await main(['inspect', 'hippo', '--debug'], i)).toBe(1);
        expect(out.stderr).toMatch(/^error: no kubeconfig found.*\nUserError: .*\n\s+at /);
    });
});
