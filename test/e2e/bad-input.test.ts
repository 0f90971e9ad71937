import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installCrds } from '../../scripts/crds.js';
import { ADMIN_TOKEN, writeKubeconfig } from '../../scripts/test-cluster.js';
import type { KubeObject } from '../../src/kube/types.js';
import { mergePatch } from '../../src/kube/writes.js';
import { recordName } from '../../src/v4/record.js';
import { v4Cluster } from '../fixtures/v4/cluster.js';
import { IMAGES } from '../support/golden.js';
import { type CommandName, mergedRules, PERMISSIONS } from '../../src/rbac.js';
import { adminClient, adminCluster, mintUser, createNamespace, createObjects, namespaceVersions, run } from '../support/kube.js';
import { adoptedForRelease, preparedForApply, replicatingForCutover, standbyForPromote, stopServers, v4ForLogical, v4ForPrepare } from './seeded.js';

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

/**
 * Broken or conflicting state, each in a namespace of its own: malformed and partial v4 objects, objects in the
 * way, records the tool cannot read. `says` must match the error (its first line and the indented ones after it).
 */
interface StateCase {
    what: string;
    objects: (ns: string) => KubeObject[];
    /** What to change once the objects exist (what needs their uids). */
    after?: (ns: string) => Promise<void>;
    argv: string[];
    code: 1 | 2 | 3;
    says: RegExp;
}

const failedOver = (ns: string) => v4Cluster({ namespace: ns, primary: 'hippo-jgut', replicas: ['hippo'], wal: true });
const without = (objects: KubeObject[], kind: string, name: string) => objects.filter((o) => !(o.kind === kind && o.metadata.name === name));
const edit = (objects: KubeObject[], kind: string, name: string, change: (o: KubeObject & { spec?: Record<string, unknown> }) => void) =>
    objects.map((o) => {
        if (o.kind !== kind || o.metadata.name !== name) return o;
        const copy = structuredClone(o);
        change(copy);
        return copy;
    });
const record = (ns: string, data: Record<string, string>): KubeObject =>
    ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: recordName('hippo'), namespace: ns }, data }) as KubeObject;
const PREPARE = ['prepare', 'hippo', '--method', 'volumes', '--target', 'pgo', '--yes'];
const GENERATE = ['generate', 'hippo', '--target', 'pgo', '--image', IMAGES.image, '--pgbackrest-image', IMAGES.pgbackrestImage];
/** An S3 repository whose config Secret (v4's `<cluster>-backrest-repo-config`, the credentials) is gone. */
const s3WithoutSecret = (ns: string, types?: string[]) =>
    without(v4Cluster({ namespace: ns, repo: { types, s3: { bucket: 'b', endpoint: 'e', region: 'r' } } }), 'Secret', 'hippo-backrest-repo-config');
// S3 the only copy: with posix beside it, the restore would come from posix and need no credentials.
const BACKUPS_SECRETS = [...GENERATE, '--method', 'backups', '--include-secrets'];
const REPO_SECRET_GONE =
    /  repo-credentials-missing: v4 cluster hippo has no repo config Secret \(hippo-backrest-repo-config\) in namespace NS: create Secret hippo-v4-repo-credentials/;

const states: StateCase[] = [
    {
        what: 'the repo config Secret of an S3 repository gone',
        objects: (ns) => s3WithoutSecret(ns, ['s3']),
        argv: BACKUPS_SECRETS,
        code: 3,
        says: REPO_SECRET_GONE,
    },
    {
        // The standby method, as it applies beside a running v4 (the backups method does after prepare only).
        what: 'the repo config Secret of an S3 repository gone, at apply',
        objects: (ns) => s3WithoutSecret(ns, ['s3']),
        argv: ['apply', 'hippo', '--target', 'pgo', '--method', 'standby', '--image', IMAGES.image, '--pgbackrest-image', IMAGES.pgbackrestImage, '--yes'],
        code: 3,
        says: /^error: the manifest names Secret hippo-v5-v4-repo-credentials, made from the v4 Secret hippo-backrest-repo-config, which does not exist in namespace NS: create hippo-v5-v4-repo-credentials yourself .* \(nothing was changed\)$/,
    },
    {
        // 4.5 kept the storage types in spec.userlabels: read there, S3 needs credentials, which are gone.
        what: "4.5's storage types (userlabels backrest-storage-type) naming S3, its repo config Secret gone",
        objects: (ns) => edit(s3WithoutSecret(ns), 'Pgcluster', 'hippo', (o) => void (o.spec!.userlabels = { 'backrest-storage-type': 's3', 'pgo-version': '4.5.1' })),
        argv: BACKUPS_SECRETS,
        code: 3,
        says: REPO_SECRET_GONE,
    },
    {
        // 4.3 and 4.4 kept them in the pgcluster's label.
        what: "4.4's storage types (label backrest-storage-type) naming S3, its repo config Secret gone",
        objects: (ns) => edit(s3WithoutSecret(ns), 'Pgcluster', 'hippo', (o) => void (o.metadata.labels = { ...o.metadata.labels, 'backrest-storage-type': 's3' })),
        argv: BACKUPS_SECRETS,
        code: 3,
        says: REPO_SECRET_GONE,
    },
    {
        what: 'no current-primary and no role=master pod',
        objects: (ns) =>
            edit(v4Cluster({ namespace: ns, masterPodOf: null }), 'Pgcluster', 'hippo', (o) => {
                delete o.metadata.annotations?.['current-primary'];
                delete o.metadata.annotations?.['primary-deployment'];
            }),
        argv: PREPARE,
        code: 3,
        says: /refused before any change:\n  primary-unknown: no current-primary annotation and no pod labelled role=master/,
    },
    {
        what: 'the primary Deployment gone',
        objects: (ns) => without(failedOver(ns), 'Deployment', 'hippo-jgut'),
        argv: PREPARE,
        code: 3,
        says: /  primary-pvc-unknown: deployment hippo-jgut was not found or mounts no "pgdata" PVC/,
    },
    {
        what: 'the primary data PVC gone',
        objects: (ns) => without(failedOver(ns), 'PersistentVolumeClaim', 'hippo-jgut'),
        argv: PREPARE,
        code: 3,
        says: /  primary-pvc-missing: PVC hippo-jgut \(primary data\) does not exist in namespace NS/,
    },
    {
        what: 'a data PVC controlled by another object',
        // A real owner: with one that does not exist, the garbage collector would delete the PVC.
        objects: (ns) => [...failedOver(ns), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'someone', namespace: ns } } as KubeObject],
        after: async (ns) => {
            const owner = await adminClient().get<KubeObject>(`/api/v1/namespaces/${ns}/configmaps/someone`);
            await mergePatch(adminClient(), `/api/v1/namespaces/${ns}/persistentvolumeclaims/hippo-jgut-wal`, {
                metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'someone', uid: owner.metadata.uid, controller: true }] },
            });
        },
        argv: PREPARE,
        code: 3,
        says: /  pvc-controlled: PVC hippo-jgut-wal is controlled by ConfigMap\/someone/,
    },
    {
        what: 'an image tag that names no PostgreSQL major',
        objects: (ns) => v4Cluster({ namespace: ns, imageTag: 'latest' }),
        argv: GENERATE,
        code: 3,
        says: /postgres-major-unknown/,
    },
    {
        what: 'a v4 standby cluster',
        objects: (ns) => edit(failedOver(ns), 'Pgcluster', 'hippo', (o) => void (o.spec!.standby = true)),
        argv: PREPARE,
        code: 3,
        says: /  v4-standby: /,
    },
    {
        what: 'a cluster v4 has not finished creating',
        objects: (ns) => v4Cluster({ namespace: ns, state: 'pgcluster Bootstrapping' }),
        argv: PREPARE,
        code: 3,
        says: /  v4-not-initialized: /,
    },
    {
        what: 'a tablespace',
        objects: (ns) => v4Cluster({ namespace: ns, tablespaces: ['ts1'] }),
        argv: PREPARE,
        code: 3,
        says: /  tablespace: tablespace ts1 \(PVC hippo-tablespace-ts1\) cannot be moved/,
    },
    {
        what: 'a v4 operator upgrade under way',
        objects: (ns) => edit(failedOver(ns), 'Pgcluster', 'hippo', (o) => void (o.metadata.annotations = { ...o.metadata.annotations, 'upgrade-in-progress': 'true' })),
        argv: PREPARE,
        code: 3,
        says: /^error: pgcluster hippo is annotated upgrade-in-progress: the v4 operator would ignore its deletion; finish the v4 operator upgrade first \(nothing was changed\)$/,
    },
    {
        what: 'the IVYO target for v4 data',
        objects: (ns) => failedOver(ns),
        argv: ['prepare', 'hippo', '--method', 'volumes', '--target', 'ivyo', '--yes'],
        code: 3,
        says: /  target-cannot-run-v4-data: /,
    },
    {
        what: 'a record of a newer format',
        objects: (ns) => [...failedOver(ns), record(ns, { 'inspection.json': '{}', schema: '99' })],
        argv: PREPARE,
        code: 1,
        says: /^error: ConfigMap hippo-ivyo-upgrade in namespace NS holds a record of format "99", which this version of kubectl-ivyo-upgrade \(format \d+\) does not know: use the version that wrote it$/,
    },
    {
        what: 'v4 gone and a record of a newer format',
        objects: (ns) => [
            ...failedOver(ns).filter((o) => o.kind === 'PersistentVolume' || o.kind === 'PersistentVolumeClaim'),
            record(ns, { 'inspection.json': '{}', schema: '99' }),
        ],
        argv: GENERATE,
        code: 1,
        says: /holds a record of format "99"/,
    },
    {
        what: 'a damaged record',
        objects: (ns) => [...failedOver(ns), record(ns, { 'inspection.json': '{"cluster": ', schema: '3' })],
        argv: PREPARE,
        code: 1,
        says: /^error: ConfigMap hippo-ivyo-upgrade in namespace NS holds a damaged inspection.json/,
    },
    {
        what: 'a damaged capture in the record',
        objects: (ns) => [...failedOver(ns), record(ns, { 'inspection.json': '{}', schema: '3', 'capture.json': '[' })],
        argv: PREPARE,
        code: 1,
        says: /^error: ConfigMap hippo-ivyo-upgrade in namespace NS holds a damaged capture.json/,
    },
    {
        what: 'a v5 cluster of that name the tool did not make',
        objects: (ns) => [...failedOver(ns), v5Cluster(ns, 'hippo')],
        argv: GENERATE,
        code: 3,
        says: /^error: generate hippo --method volumes refused:\n  name-collision: PostgresCluster hippo already exists in namespace NS and was not made by this tool from v4 cluster hippo \(annotation ivyo-upgrade\.ivorysql\.org\/v4-cluster: none\): pass --name/,
    },
];

/** A PostgresCluster as someone else made it. */
const v5Cluster = (ns: string, name: string): KubeObject =>
    ({
        apiVersion: 'postgres-operator.crunchydata.com/v1beta1',
        kind: 'PostgresCluster',
        metadata: { name, namespace: ns },
        spec: {
            postgresVersion: 16,
            instances: [{ name: 'instance1', dataVolumeClaimSpec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
            backups: { pgbackrest: { repos: [{ name: 'repo1' }] } },
        },
    }) as KubeObject;

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

describe('broken and conflicting state: refused before any change, naming what is wrong', () => {
    it.each(states.map((c) => [`${c.what}: ${c.argv.join(' ')}`, c] as const))('%s', async (_name, c) => {
        const at = await createNamespace('bad-state');
        await createObjects(c.objects(at));
        await c.after?.(at);
        const before = await namespaceVersions(at);
        const r = await run(['-n', at, ...c.argv]);
        expect(r.code, r.stderr).toBe(c.code);
        expect(r.stdout).toBe('');
        const error = r.stderr.slice(r.stderr.indexOf('error: ')).trimEnd();
        expect(error, r.stderr).toMatch(new RegExp(c.says.source.replaceAll('NS', at)));
        // One error line; what follows it is indented (one line per blocker) or the pointer to --help.
        expect(
            error.split('\n').filter((l) => l.startsWith('error: ')),
            r.stderr,
        ).toHaveLength(1);
        expect(r.stderr).not.toMatch(/^\s+at /m);
        expect(await namespaceVersions(at)).toEqual(before);
    });
});

/**
 * RBAC denied per verb: for each command that writes, from the state it starts from (test/e2e/seeded.ts), a user
 * with every right it needs (src/rbac.ts) but one write verb. The plan's writes go to the server as dry runs
 * first, which it authorizes as the real ones, so the refusal comes before any change.
 */
const WRITERS: { command: CommandName; seed: (ns: string) => Promise<string[]>; writes: [verb: string, resource: string, group: string][] }[] = [
    {
        command: 'prepare',
        seed: v4ForPrepare,
        writes: [
            ['patch', 'persistentvolumes', ''],
            ['patch', 'configmaps', ''],
            ['create', 'pgtasks', 'crunchydata.com'],
            ['patch', 'pgclusters', 'crunchydata.com'],
            ['delete', 'pgclusters', 'crunchydata.com'],
            ['patch', 'persistentvolumeclaims', ''],
        ],
    },
    {
        command: 'apply',
        seed: preparedForApply,
        writes: [
            ['create', 'secrets', ''],
            ['patch', 'postgresclusters', 'postgres-operator.crunchydata.com'],
        ],
    },
    {
        // The copy Job comes after the cluster runs, with the image it runs: its dry run cannot be judged before.
        command: 'apply',
        seed: v4ForLogical,
        writes: [['create', 'jobs', 'batch']],
    },
    {
        command: 'release-pvc',
        seed: adoptedForRelease,
        writes: [
            ['patch', 'persistentvolumes', ''],
            ['patch', 'persistentvolumeclaims', ''],
        ],
    },
    {
        command: 'cutover',
        seed: replicatingForCutover,
        writes: [['create', 'jobs', 'batch']],
    },
    {
        command: 'promote',
        seed: standbyForPromote,
        writes: [
            ['patch', 'pgclusters', 'crunchydata.com'],
            ['patch', 'postgresclusters', 'postgres-operator.crunchydata.com'],
        ],
    },
];

/** A user of the test cluster with every right of `command` but `verb` on `resource`; returns its kubeconfig. */
async function userWithout(at: string, command: CommandName, verb: string, resource: string, group: string): Promise<string> {
    const rules = mergedRules(PERMISSIONS[command]).map((p) => ({
        ...p,
        verbs: p.resource === resource && p.group === group ? p.verbs.filter((v) => v !== verb) : p.verbs,
    }));
    const user = `no-${verb}-${resource}`.slice(0, 60);
    const kubeconfig = await mintUser(
        at,
        user,
        rules.filter((p) => !p.clusterScoped).map((p) => ({ apiGroups: [p.group], resources: [p.resource], verbs: p.verbs })),
    );
    // PersistentVolumes and CRDs are cluster-scoped: a ClusterRole of their own.
    const admin = adminClient();
    const rbac = '/apis/rbac.authorization.k8s.io/v1';
    const clusterRules = rules.filter((p) => p.clusterScoped).map((p) => ({ apiGroups: [p.group], resources: [p.resource], verbs: p.verbs }));
    await admin.request('POST', `${rbac}/clusterroles`, {
        body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `${at}-${user}` }, rules: clusterRules },
    });
    await admin.request('POST', `${rbac}/clusterrolebindings`, {
        body: {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRoleBinding',
            metadata: { name: `${at}-${user}` },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${at}-${user}` },
            subjects: [{ kind: 'ServiceAccount', name: user, namespace: at }],
        },
    });
    return kubeconfig;
}

describe('RBAC denied per verb: each command that writes refuses before any change, naming the step and what is missing', () => {
    afterAll(() => stopServers());
    const cases = WRITERS.flatMap((w) => w.writes.map(([verb, resource, group]) => [w.command, verb, resource, group, w.seed] as const));
    it.each(cases)('%s without %s on %s', async (command, verb, resource, group, seed) => {
        const at = await createNamespace('bad-rbac');
        const argv = await seed(at);
        const kubeconfig = await userWithout(at, command, verb, resource, group);
        const before = await namespaceVersions(at);
        const r = await run(argv, { kubeconfig });
        expect(r.code, r.stderr).toBe(3);
        expect(r.stdout).toBe('');
        const error = r.stderr.slice(r.stderr.indexOf('error: ')).trimEnd();
        expect(error, r.stderr).toMatch(
            /^error: the server forbids (a step|\d+ steps) of this plan, so nothing was changed; "kubectl ivyo-upgrade inspect --print-rbac" prints the roles this tool needs:\n/,
        );
        expect(error, r.stderr).toContain(`cannot ${verb} ${group ? `${resource}.${group}` : resource}`);
        expect(error.split('\n').filter((l) => l.startsWith('error: '))).toHaveLength(1);
        expect(r.stderr).not.toMatch(/^\s+at /m);
        expect(await namespaceVersions(at)).toEqual(before);
    });
});

/**
 * Missing CRDs, each: the IVYO CRD, then PGO v5's too, then PGO v4's, removed from the shared server one after
 * another (cumulative, as the cases are in order) and put back after. Each command names the CRD as missing,
 * never an object as not found.
 */
const CRDS = {
    ivyo: 'ivoryclusters.ivory-operator.ivorysql.org',
    pgo: 'postgresclusters.postgres-operator.crunchydata.com',
    v4: 'pgclusters.crunchydata.com',
};
const NOT_SERVED = (crd: string) =>
    new RegExp(`^error: the server does not serve ${crd.replaceAll('.', '\\.')}/v1(beta1)?: .* is not installed, or context "admin@test" points at another cluster$`);
const crdCases: [gone: keyof typeof CRDS, argv: string[], code: 1 | 3, says: RegExp][] = [
    ['ivyo', ['apply', 'hippo', '--target', 'ivyo', '--yes'], 1, NOT_SERVED(CRDS.ivyo)],
    ['ivyo', ['cutover', 'hippo', '--target', 'ivyo', '--yes'], 1, NOT_SERVED(CRDS.ivyo)],
    ['pgo', ['apply', 'hippo', '--target', 'pgo', '--image', IMAGES.image, '--pgbackrest-image', IMAGES.pgbackrestImage, '--yes'], 1, NOT_SERVED(CRDS.pgo)],
    ['pgo', ['promote', 'hippo', '--yes'], 1, NOT_SERVED(CRDS.pgo)],
    ['pgo', ['cutover', 'hippo', '--target', 'pgo', '--yes'], 1, NOT_SERVED(CRDS.pgo)],
    [
        'pgo',
        ['release-pvc', '--all', '--cluster', 'hippo', '--yes'],
        1,
        /^error: the server does not serve ivoryclusters\.ivory-operator\.ivorysql\.org or postgresclusters\.postgres-operator\.crunchydata\.com: no v5 cluster can own a PVC here/,
    ],
    ['v4', ['inspect', 'hippo'], 1, /^error: the server does not serve pgclusters\.crunchydata\.com\/v1: the PGO v4 CRDs are not installed/],
    [
        'v4',
        ['prepare', 'hippo', '--method', 'volumes', '--target', 'pgo', '--yes'],
        1,
        /^error: the server does not serve pgclusters\.crunchydata\.com\/v1: the PGO v4 CRDs are not installed/,
    ],
    [
        'v4',
        ['generate', 'hippo', '--target', 'pgo'],
        1,
        /^error: the server does not serve pgclusters\.crunchydata\.com\/v1 \(the PGO v4 CRDs are not installed\), and no record of "hippo"/,
    ],
    ['v4', ['promote', 'hippo', '--yes'], 1, /^error: the server does not serve pgclusters\.crunchydata\.com\/v1: the PGO v4 CRDs are not installed/],
];

describe('missing CRDs: each command names the CRD, never an object as not found, and changes nothing', () => {
    let at: string;
    const gone = new Set<keyof typeof CRDS>();
    beforeAll(async () => {
        at = await createNamespace('bad-crds');
        await createObjects(failedOver(at));
    });
    afterAll(async () => {
        await installCrds(adminCluster().server, ADMIN_TOKEN);
    });

    it.each(crdCases.map(([g, argv, code, says]) => [`without the ${g} CRD: ${argv.join(' ')}`, g, argv, code, says] as const))('%s', async (_name, g, argv, code, says) => {
        if (!gone.has(g)) {
            await removeCrd(CRDS[g]);
            gone.add(g);
        }
        const before = await namespaceVersions(
            at,
            [...gone].map((k) => CRDS[k]),
        );
        const r = await run(['-n', at, ...argv]);
        expect(r.code, r.stderr).toBe(code);
        expect(r.stdout).toBe('');
        const error = r.stderr.slice(r.stderr.indexOf('error: ')).trimEnd();
        expect(error, r.stderr).toMatch(says);
        expect(error.split('\n').filter((l) => l.startsWith('error: '))).toHaveLength(1);
        expect(r.stderr).not.toMatch(/not found|^\s+at /m);
        expect(
            await namespaceVersions(
                at,
                [...gone].map((k) => CRDS[k]),
            ),
        ).toEqual(before);
    });
});

/** Deletes a CRD and waits until the server no longer serves it. */
async function removeCrd(name: string): Promise<void> {
    const admin = adminClient();
    await admin.request('DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    const [plural, ...group] = name.split('.');
    const version = name === CRDS.v4 ? 'v1' : 'v1beta1';
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
        const { resources = [] } = await admin.get<{ resources?: { name: string }[] }>(`/apis/${group.join('.')}/${version}`).catch(() => ({ resources: [] }));
        if (!resources.some((r) => r.name === plural)) return;
        await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`CRD ${name} still served`);
}
