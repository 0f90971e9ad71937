import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/io.js';
import { main, suggestingContext } from '../../src/main.js';

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

    it('answers --help for the command named after the global flags, whatever else the line holds', async () => {
        const help = async (argv: string[]) => {
            const { io: i, out } = io();
            expect(await main(argv, i)).toBe(0);
            return out.stdout;
        };
        const promote = await help(['promote', '--help']);
        expect(promote).toMatch(/^Usage:\n  kubectl ivyo-upgrade promote <cluster> \[flags\]$/m);
        // -n takes the next word as its value, so "apply" is a namespace here, and the root's help is shown.
        expect(await help(['-n', 'apply', '--request-timeout', '5s', 'promote', 'hippo', '--bogus', '-h'])).toBe(promote);
        expect(await help(['-n', 'apply', '-h'])).toMatch(/^Usage:\n  kubectl ivyo-upgrade <command> \[flags\]$/m);
        expect(await help(['inspect', 'hippo', '--version'])).toMatch(/^\d+\.\d+\.\d+\n$/);
    });

    it('treats --help after -- as an argument, and help for an unknown command as a usage error', async () => {
        // After --, the command runs: here it finds no kubeconfig.
        const after = io({ KUBECONFIG: '/nonexistent/kubeconfig' });
        expect(await main(['inspect', 'hippo', '--', '--help'], after.io)).toBe(1);
        expect(after.out.stdout).toBe('');
        expect(after.out.stderr).toMatch(/^error: no kubeconfig found/);
        const unknown = io();
        expect(await main(['frobnicate', '--help'], unknown.io)).toBe(2);
        expect(unknown.out.stderr).toBe(
            `error: unknown command "frobnicate": the commands are inspect, prepare, generate, apply, promote, cutover, release-pvc, completion\nSee 'kubectl ivyo-upgrade --help' for usage.\n`,
        );
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

describe("usage errors come first: exit 2 before any connection, in the tool's words", () => {
    // A kubeconfig whose server refuses every connection: an error about it would mean the flags were checked too late.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'usage-'));
    const kubeconfig = path.join(dir, 'config');
    writeFileSync(
        kubeconfig,
        JSON.stringify({
            apiVersion: 'v1',
            kind: 'Config',
            clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }],
            users: [{ name: 'u', user: { token: 't' } }],
            contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'pgo' } }],
            'current-context': 'x',
        }),
    );
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it.each([
        [['prepare'], 'error: a cluster name is required'],
        [['generate'], 'error: a cluster name is required'],
        [['prepare', 'hippo'], 'error: --method is required'],
        [['inspect', '-o', 'xml'], 'error: --output must be table, json or yaml, not "xml"'],
        [['prepare', 'hippo', '--method', 'copy'], 'error: --method must be volumes, backups, standby or logical, not "copy"'],
        [['prepare', 'hippo', '--method', 'volumes', '--timeout', 'soon'], 'error: invalid duration "soon" for --timeout'],
        [['apply', 'hippo', '--timeout', '5 minutes'], 'error: invalid duration "5 minutes" for --timeout'],
        [['inspect', 'hippo', '--request-timeout', 'soon'], 'error: invalid duration "soon" for --request-timeout'],
        [['inspect', 'hippo', '-n'], 'error: --namespace (-n) needs a value'],
        [['inspect', 'hippo', '--kubeconfig'], 'error: --kubeconfig needs a value'],
        [['inspect', 'hippo', '--context'], 'error: --context needs a value'],
        [['generate', 'hippo', '--name', 'Hippo_5'], 'error: --name "Hippo_5" is not a valid cluster name'],
        [['generate', 'hippo', '--postgres-version', '13.5'], 'error: --postgres-version takes a whole major number'],
        [['generate', 'hippo', '--repo', 's3'], 'error: --repo, --restore-type and --restore-target go with --method backups'],
        [['apply', 'hippo', '--name=-x'], 'error: --name "-x" is not a valid cluster name'],
        [['prepare', 'hippo', '--method', 'volumes', '--delete-data'], 'error: --delete-data goes with --method backups'],
        [['prepare', 'hippo', '--method', 'volumes', '--dry-run=maybe'], 'error: --dry-run must be none, client or server, not "maybe"'],
        [['release-pvc'], 'error: name the PVC to release, or pass --all --cluster NAME'],
        [['frobnicate'], 'error: unknown command or extra argument "frobnicate"'],
        [['prepare', 'hippo', '--method', 'volumes', '-o', 'json'], 'error: -o json prints the plan, so it goes with --dry-run=client'],
        [['release-pvc', 'x', '-o', 'yaml', '--dry-run=server'], 'error: -o yaml prints the plan, so it goes with --dry-run=client'],
        [['completion', 'bash', '-o', 'json'], 'error: completion prints a shell script: -o does not apply'],
    ])('%j', async (argv, message) => {
        const { io: i, out } = io({ KUBECONFIG: kubeconfig });
        expect(await main(argv, i)).toBe(2);
        expect(out.stderr.split('\n')[0]!.startsWith(message), out.stderr).toBe(true);
        expect(out.stderr).not.toMatch(/refused|127\.0\.0\.1|Not enough|Invalid values|Unknown argument/);
    });

    it('inspect --print-rbac prints the roles without reading any cluster, as YAML or a JSON List', async () => {
        const yaml = io({ KUBECONFIG: kubeconfig });
        expect(await main(['inspect', '--print-rbac'], yaml.io)).toBe(0);
        expect(yaml.out.stdout).toBe(readFileSync('docs/rbac.yaml', 'utf8'));
        const json = io({ KUBECONFIG: kubeconfig });
        expect(await main(['inspect', '--print-rbac', '-o', 'json'], json.io)).toBe(0);
        expect((JSON.parse(json.out.stdout) as { items: { kind: string }[] }).items.map((i) => i.kind)).toEqual(['ClusterRole', 'ClusterRole']);
    });

    it('an apply -f of invalid YAML names the file and the line (exit 2)', async () => {
        const file = path.join(dir, 'bad.yaml');
        writeFileSync(file, 'apiVersion: v1\nkind: [unclosed\n');
        const { io: i, out } = io({ KUBECONFIG: kubeconfig });
        expect(await main(['apply', '-f', file, '--dry-run'], i)).toBe(2);
        expect(out.stderr.split('\n')[0]).toMatch(new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:1 is not valid YAML \\(.+\\) \\(-f\\)$`));
    });
});

describe('suggested commands carry --context when it was given', () => {
    it('adds it after the -n of every kubectl command in a message, and leaves other text alone', () => {
        const { io: i, out } = io();
        const wrapped = suggestingContext(i, 'prod');
        wrapped.stderr.write('error: run "kubectl ivyo-upgrade prepare hippo -n db --method volumes" first; then kubectl logs job/x -n db, and pass -n NAMESPACE\n');
        expect(out.stderr).toBe(
            'error: run "kubectl ivyo-upgrade prepare hippo -n db --context prod --method volumes" first; then kubectl logs job/x -n db --context prod, and pass -n NAMESPACE\n',
        );
        expect(suggestingContext(i, undefined)).toBe(i);
    });
});
