import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeKubeconfig } from '../../scripts/test-cluster.js';
import { v4Cluster } from '../fixtures/v4/cluster.js';
import { adminCluster, createNamespace, createObjects, namespaceVersions, run } from '../support/kube.js';

/**
 * The bad-input corpus, as data (docs/guarantees.md): each case is a command line the tool must refuse, with the
 * exit code and what the one-line message must name. Every case also checks what holds for all of them: nothing
 * on stdout, one `error: ` line (and at most the pointer to --help), no stack trace, and every object a command
 * could touch in the namespace, and every PV, unchanged (resourceVersions before and after).
 */
interface Case {
    argv: string[];
    code: 1 | 2 | 3;
    says: RegExp;
    /** Which kubeconfig: the admin's (default), or one of the broken ones below. */
    kubeconfig?: keyof typeof broken;
}

const WRITING = ['prepare', 'apply', 'promote', 'cutover'];
const ALL = ['inspect', 'prepare', 'generate', 'apply', 'promote', 'cutover', 'release-pvc'];
/** The least each command takes to get past its own required arguments. */
const LINE: Record<string, string[]> = {
    inspect: ['inspect', 'hippo'],
    prepare: ['prepare', 'hippo', '--method', 'volumes', '--target', 'pgo'],
    generate: ['generate', 'hippo', '--target', 'pgo'],
    apply: ['apply', 'hippo', '--target', 'pgo'],
    promote: ['promote', 'hippo'],
    cutover: ['cutover', 'hippo'],
    'release-pvc': ['release-pvc', 'hippo'],
};

const usage: Case[] = [
    ...ALL.map((c): Case => ({ argv: [...LINE[c]!, '--frobnicate'], code: 2, says: /^error: unknown flag or argument: frobnicate$/ })),
    ...ALL.map((c): Case => ({ argv: [...LINE[c]!, '-o', 'xml'], code: 2, says: /^error: --output must be table, json or yaml, not "xml"$/ })),
    ...ALL.map((c): Case => ({ argv: [...LINE[c]!, '--request-timeout', 'soon'], code: 2, says: /^error: invalid duration "soon" for --request-timeout/ })),
    ...ALL.map((c): Case => ({ argv: [...LINE[c]!, '-n'], code: 2, says: /^error: --namespace \(-n\) needs a value$/ })),
    ...ALL.map((c): Case => ({ argv: [...LINE[c]!, '--context'], code: 2, says: /^error: --context needs a value$/ })),
    ...['prepare', 'generate', 'promote', 'cutover'].map((c): Case => ({ argv: [c], code: 2, says: /^error: a cluster name is required$/ })),
    ...WRITING.map((c): Case => ({ argv: [...LINE[c]!, '--timeout', '5 minutes'], code: 2, says: /^error: invalid duration "5 minutes" for --timeout/ })),
    ...[...WRITING, 'release-pvc'].map((c): Case => ({ argv: [...LINE[c]!, '--dry-run=maybe'], code: 2, says: /^error: --dry-run must be none, client or server, not "maybe"$/ })),
    ...['inspect', 'prepare', 'generate', 'apply'].map((c): Case => ({
        argv: [...LINE[c]!, '--target', 'ivory'],
        code: 2,
        says: /^error: --target must be ivyo or pgo, not "ivory"$/,
    })),
    { argv: ['generate', 'hippo', '--name', 'Hippo_5'], code: 2, says: /^error: --name "Hippo_5" is not a valid cluster name/ },
    { argv: ['generate', 'hippo', '--name', 'x'.repeat(64)], code: 2, says: /^error: --name "x{64}" is not a valid cluster name/ },
    { argv: ['apply', 'hippo', '--name=-x'], code: 2, says: /^error: --name "-x" is not a valid cluster name/ },
    { argv: ['prepare', 'hippo'], code: 2, says: /^error: --method is required$/ },
    { argv: ['prepare', 'hippo', '--method', 'copy'], code: 2, says: /^error: --method must be volumes, backups, standby or logical, not "copy"$/ },
    { argv: ['prepare', 'hippo', '--method', 'volumes', '--delete-data'], code: 2, says: /^error: --delete-data goes with --method backups/ },
    { argv: ['generate', 'hippo', '--postgres-version', '13.5'], code: 2, says: /^error: --postgres-version takes a whole major number/ },
    { argv: ['generate', 'hippo', '--repo', 's3'], code: 2, says: /^error: --repo, --restore-type and --restore-target go with --method backups/ },
    { argv: ['inspect', 'hippo', '-A'], code: 2, says: /^error: a cluster cannot be named together with --all-namespaces/ },
    { argv: ['release-pvc'], code: 2, says: /^error: name the PVC to release, or pass --all --cluster NAME$/ },
    { argv: ['prepare', 'hippo', '--method', 'volumes', '-o', 'json'], code: 2, says: /^error: -o json prints the plan, so it goes with --dry-run=client/ },
    { argv: ['frobnicate'], code: 2, says: /^error: unknown command or extra argument "frobnicate"$/ },
    { argv: ['frobnicate', '--help'], code: 2, says: /^error: unknown command "frobnicate": the commands are inspect, prepare/ },
    { argv: [], code: 2, says: /^error: a command is required/ },
    { argv: ['promote', 'hippo', '--target', 'ivyo'], code: 2, says: /^error: promote ends method 3, for --target pgo: IVYO cannot run v4 data/ },
];

/** Kubeconfigs that cannot work, made in beforeAll (the dead and silent servers need ports). */
const broken = { missing: '', empty: '', malformed: '', deadPort: '', silentPort: '', badToken: '' };

const connecting: Case[] = [
    ...(['inspect', 'prepare'] as const).flatMap((c): Case[] => [
        { argv: LINE[c]!, kubeconfig: 'missing', code: 1, says: /^error: no kubeconfig found: .* names no existing file; pass --kubeconfig FILE or set KUBECONFIG$/ },
        { argv: LINE[c]!, kubeconfig: 'empty', code: 1, says: /^error: .*kubeconfig.*/i },
        { argv: LINE[c]!, kubeconfig: 'malformed', code: 1, says: /^error: .*kubeconfig.*/i },
        { argv: [...LINE[c]!, '--context', 'nowhere'], code: 1, says: /^error: .*"nowhere".*/ },
        { argv: LINE[c]!, kubeconfig: 'deadPort', code: 1, says: /^error: the connection to the server https:\/\/127\.0\.0\.1:\d+ was refused/ },
        {
            argv: [...LINE[c]!, '--request-timeout', '1s'],
            kubeconfig: 'silentPort',
            code: 1,
            says: /^error: the server https:\/\/127\.0\.0\.1:\d+ did not answer within the request timeout/,
        },
        { argv: LINE[c]!, kubeconfig: 'badToken', code: 1, says: /^error: you must be logged in to the server \(Unauthorized\)/ },
    ]),
];

const absent: Case[] = [
    { argv: ['inspect', 'nothere'], code: 1, says: /^error: pgcluster "nothere" not found in namespace "NS": pass -n NAMESPACE/ },
    // A writing command finds the object missing in its plan's preconditions: refused before any change, exit 3.
    {
        argv: ['prepare', 'nothere', '--method', 'volumes', '--target', 'pgo', '--yes'],
        code: 3,
        says: /^error: pgcluster "nothere" not found in namespace "NS", and no record of it .*\(nothing was changed\)$/,
    },
    { argv: ['generate', 'nothere', '--target', 'pgo'], code: 1, says: /pgcluster "nothere" not found in namespace "NS"/ },
    { argv: ['promote', 'nothere', '--yes'], code: 3, says: /^error: no PostgresCluster nothere-v5 in namespace NS: make the standby first .*\(nothing was changed\)$/ },
    { argv: ['cutover', 'nothere', '--yes'], code: 1, says: /nothere/ },
    { argv: ['release-pvc', 'nothere', '--yes'], code: 1, says: /nothere/ },
    { argv: ['inspect', 'hippo', '-n', 'no-such-namespace'], code: 1, says: /^error: pgcluster "hippo" not found in namespace "no-such-namespace"/ },
];

let ns: string;
let silent: net.Server;
const held: net.Socket[] = [];
beforeAll(async () => {
    ns = await createNamespace('bad-input');
    await createObjects(v4Cluster({ namespace: ns, name: 'hippo', replicas: ['hippo-abcd'] }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-kubeconfigs-'));
    const file = (name: string, text?: string) => {
        const p = path.join(dir, name);
        if (text !== undefined) fs.writeFileSync(p, text);
        return p;
    };
    const { server, ca } = adminCluster();
    broken.missing = file('missing');
    broken.empty = file('empty', '');
    broken.malformed = file('malformed', 'apiVersion: v1\nclusters: [\n  - {name: a\n');
    const dead = net.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as net.AddressInfo).port;
    await new Promise((r) => dead.close(r));
    writeKubeconfig((broken.deadPort = file('dead')), `https://127.0.0.1:${deadPort}`, ca, 'someone', 'token', ns);
    // Accepts connections and never answers; its sockets are closed at the end, so that closing it does not wait on them.
    silent = net.createServer((socket) => held.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    writeKubeconfig((broken.silentPort = file('silent')), `https://127.0.0.1:${(silent.address() as net.AddressInfo).port}`, ca, 'someone', 'token', ns);
    writeKubeconfig((broken.badToken = file('bad-token')), server, ca, 'ghost', 'not-a-token', ns);
});
afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((r) => silent.close(r));
});

describe('the bad-input corpus: refused with the right exit code and one line naming what is wrong, nothing changed', () => {
    const cases = [...usage, ...connecting, ...absent];

    it('holds at least 80 cases', () => {
        expect(cases.length).toBeGreaterThanOrEqual(80);
    });

    it.each(cases.map((c) => [c.argv.join(' ') + (c.kubeconfig ? ` [kubeconfig: ${c.kubeconfig}]` : ''), c] as const))('%s', async (_name, c) => {
        const before = await namespaceVersions(ns);
        // The namespace first (flags go anywhere after the plugin name), so a case's own last flag stays last.
        const argv = c.argv.includes('-n') ? c.argv : ['-n', ns, ...c.argv];
        const r = await run(argv, { kubeconfig: c.kubeconfig ? broken[c.kubeconfig] : undefined });
        const lines = r.stderr.split('\n').filter(Boolean);
        expect(r.code, r.stderr).toBe(c.code);
        expect(r.stdout).toBe('');
        expect(lines[0], r.stderr).toMatch(new RegExp(c.says.source.replaceAll('NS', ns)));
        expect(
            lines.slice(1).every((l) => /^See 'kubectl ivyo-upgrade .*--help' for usage\.$/.test(l)),
            r.stderr,
        ).toBe(true);
        expect(r.stderr).not.toMatch(/^\s+at /m);
        expect(await namespaceVersions(ns)).toEqual(before);
    });
});
