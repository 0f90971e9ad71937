import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject, PersistentVolume, PersistentVolumeClaim } from '../../src/kube/types.js';
import type { Inspection } from '../../src/v4/inspection.js';
import type { V5Cluster } from '../../src/v5/cluster.js';
import { apiVersionOf, FLAVORS, type FlavorName } from '../../src/targets/flavors.js';
import { v4Cluster } from '../fixtures/v4/cluster.js';
import { pem } from '../fixtures/v4/customized.js';
import { IMAGES } from '../support/golden.js';
import { adminClient, adminKubeconfig, createNamespace, createObjects, namespaceVersions, run } from '../support/kube.js';
import { V4OperatorSimulator } from './simulators/v4-operator.js';
import { V5OperatorSimulator, type V5SimulatorOptions } from './simulators/v5-operator.js';

const client = () => adminClient();
const IMAGE_FLAGS = ['--image', IMAGES.image, '--pgbackrest-image', IMAGES.pgbackrestImage];
const REUSED = ['hippo-jgut', 'hippo-jgut-wal', 'hippo-pgbr-repo'];
const simulators: { stop(): Promise<void>; errors: unknown[] }[] = [];

afterEach(async () => {
    for (const s of simulators.splice(0)) {
        await s.stop();
        expect(s.errors).toEqual([]);
    }
});

async function preparedNamespace(prefix: string, customized = false): Promise<string> {
    const ns = await createNamespace(prefix);
    await createObjects(v4Cluster({ namespace: ns, primary: 'hippo-jgut', replicas: ['hippo'], wal: true, customized }));
    const v4 = await new V4OperatorSimulator(adminKubeconfig(), ns).start();
    simulators.push(v4);
    const r = await run(['prepare', 'hippo', '-n', ns, '--method', 'volumes', '--target', 'pgo', '--yes', '--timeout', '60s']);
    expect(r.code, r.stderr).toBe(0);
    return ns;
}

function startV5(flavor: FlavorName, ns: string, options: V5SimulatorOptions = {}): void {
    simulators.push(new V5OperatorSimulator(client(), flavor, ns, options).start());
}

const get = <T>(p: string) => client().get<T>(p);

describe('IVYO cannot run v4 data: every physical step refuses before it changes anything', () => {
    it('prepare, generate (whatever --image) and apply -f exit 3, naming why and the roads that work', async () => {
        const ns = await createNamespace('method-ivyo');
        await createObjects(v4Cluster({ namespace: ns, primary: 'hippo-jgut', replicas: ['hippo'], wal: true }));
        const before = await namespaceVersions(ns);
        for (const method of ['volumes', 'backups']) {
            const prepared = await run(['prepare', 'hippo', '-n', ns, '--method', method, '--target', 'ivyo', '--yes']);
            expect(prepared.code, prepared.stderr).toBe(3);
            expect(prepared.stderr).toContain(
                `error: prepare hippo --method ${method} for IvoryCluster refused before any change:\n  target-cannot-run-v4-data: IvorySQL Operator (IVYO) cannot run data made by vanilla PostgreSQL`,
            );
            const generated = await run(['generate', 'hippo', '-n', ns, '--method', method, ...IMAGE_FLAGS]);
            expect(generated.code, generated.stderr).toBe(3);
            expect(generated.stderr).toContain('target-cannot-run-v4-data');
            expect(generated.stderr).toContain('no --image changes that. What works: --target pgo for this method');
            expect(generated.stdout).toBe('');
        }
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-')), 'hippo.yaml');
        fs.writeFileSync(
            file,
            JSON.stringify({
                apiVersion: apiVersionOf(FLAVORS.ivyo),
                kind: 'IvoryCluster',
                metadata: { name: 'hippo' },
                spec: { dataSource: { volumes: { pgDataVolume: { pvcName: 'hippo-jgut', directory: 'hippo-jgut' } } } },
            }),
        );
        const applied = await run(['apply', '-f', file, '-n', ns, '--yes']);
        expect(applied.code).toBe(3);
        expect(applied.stderr).toContain('target-cannot-run-v4-data');
        expect(await namespaceVersions(ns)).toEqual(before);
    });
});

describe.each(['pgo'] as const)('method 1, data volumes, end to end to %s', (flavor) => {
    const f = FLAVORS[flavor];

    it('inspect → prepare → generate → apply: every original PVC and PV is kept, bound, owned by the v5 cluster and Retain', async () => {
        const ns = await createNamespace(`method-${flavor}`);
        await createObjects(v4Cluster({ namespace: ns, primary: 'hippo-jgut', replicas: ['hippo'], wal: true }));
        const originalPvcs = (await client().list<PersistentVolumeClaim>(`/api/v1/namespaces/${ns}/persistentvolumeclaims`))
            .map((p) => [p.metadata.name, p.spec?.volumeName])
            .sort();
        const v4Password = (await get<{ data: { password: string } }>(`/api/v1/namespaces/${ns}/secrets/hippo-hippo-secret`)).data.password;

        const inspected = JSON.parse((await run(['inspect', 'hippo', '-n', ns, '-o', 'json', '--target', flavor])).stdout) as Inspection;
        expect(inspected.primary).toMatchObject({ deployment: 'hippo-jgut', pvc: 'hippo-jgut', dataDirectory: 'hippo-jgut' });

        simulators.push(await new V4OperatorSimulator(adminKubeconfig(), ns).start());
        const prepared = await run(['prepare', 'hippo', '-n', ns, '--method', 'volumes', '--target', 'pgo', '--yes', '--timeout', '60s']);
        expect(prepared.code, prepared.stderr).toBe(0);

        const generated = await run(['generate', 'hippo', '-n', ns, '--target', flavor, ...IMAGE_FLAGS, '--validate']);
        expect(generated.code, generated.stderr).toBe(0);
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-')), 'hippo.yaml');
        fs.writeFileSync(file, generated.stdout);

        startV5(flavor, ns);
        const applied = await run(['apply', 'hippo', '-f', file, '-n', ns, '--yes', '--timeout', '60s']);
        expect(applied.stderr).not.toContain('error');
        expect(applied.code).toBe(0);
        expect(applied.stderr).toContain(`done: copy the v4 password of user hippo from Secret hippo-hippo-secret into Secret hippo-pguser-hippo`);
        expect(applied.stderr).toContain(`done: create ${f.kind} hippo`);
        expect(applied.stderr).toContain(`done: remove spec.dataSource.volumes from ${f.kind} hippo (JSON patch with a test op)`);
        expect(applied.stderr).toContain('release-pvc');

        const cluster = await get<V5Cluster>(`/apis/${f.group}/${f.version}/namespaces/${ns}/${f.plural}/hippo`);
        expect(cluster.spec?.dataSource?.volumes).toBeUndefined();
        expect(cluster.status?.patroni?.systemIdentifier).toBeTruthy();

        // Every PVC that existed before the upgrade is still there, on the same PV.
        const after = await client().list<PersistentVolumeClaim>(`/api/v1/namespaces/${ns}/persistentvolumeclaims`);
        expect(after.map((p) => [p.metadata.name, p.spec?.volumeName]).sort()).toEqual(originalPvcs);
        for (const name of REUSED) {
            const pvc = after.find((p) => p.metadata.name === name)!;
            expect(pvc.status?.phase, name).toBe('Bound');
            expect(pvc.metadata.deletionTimestamp, name).toBeUndefined();
            expect(pvc.metadata.labels?.[`${f.labelPrefix}cluster`], name).toBe('hippo');
            expect(pvc.metadata.labels?.['pg-cluster'], name).toBeUndefined();
            expect(pvc.metadata.ownerReferences, name).toEqual([expect.objectContaining({ kind: f.kind, name: 'hippo', uid: cluster.metadata.uid, controller: true })]);
            const pv = await get<PersistentVolume>(`/api/v1/persistentvolumes/${pvc.spec!.volumeName}`);
            expect(pv.spec?.persistentVolumeReclaimPolicy, name).toBe('Retain');
            expect(pv.status?.phase, name).toBe('Bound');
        }
        // The v4 password, copied in the cluster, with the labels v5 selects on; never on stdout or stderr.
        const pguser = await get<KubeObject & { data: { password: string } }>(`/api/v1/namespaces/${ns}/secrets/hippo-pguser-hippo`);
        expect(pguser.data.password).toBe(v4Password);
        expect(pguser.metadata.labels).toEqual({ [`${f.labelPrefix}cluster`]: 'hippo', [`${f.labelPrefix}pguser`]: 'hippo' });
        const decoded = Buffer.from(v4Password, 'base64').toString();
        for (const out of [prepared, generated, applied]) expect(out.stdout + out.stderr).not.toContain(decoded);

        // Re-running on the finished cluster changes nothing.
        const again = await run(['apply', 'hippo', '-f', file, '-n', ns, '--yes', '--timeout', '10s']);
        expect(again.code).toBe(0);
        expect(again.stderr).toBe(`Nothing to do: apply ${f.kind} hippo in namespace ${ns} over the volumes of v4 cluster hippo is already done.\n`);
        const unchanged = await get<V5Cluster>(`/apis/${f.group}/${f.version}/namespaces/${ns}/${f.plural}/hippo`);
        expect(unchanged.metadata.resourceVersion).toBe(cluster.metadata.resourceVersion);
    });
});

describe("method 1 with v4's TLS", () => {
    it("generate --replication-tls-secret: apply refuses until that Secret exists, then builds customTLSSecret from v4's key pair and CA in the cluster, never printed", async () => {
        const ns = await preparedNamespace('tls', true);
        const generated = await run(['generate', 'hippo', '-n', ns, '--target', 'pgo', ...IMAGE_FLAGS, '--replication-tls-secret', 'hippo-repl', '--validate']);
        expect(generated.code, generated.stderr).toBe(0);
        expect(generated.stderr).toContain(
            'carry: translated: spec.tls hippo-tls-keypair, CA hippo-ca → spec.customTLSSecret hippo-v4-tls (apply builds it from them, in the cluster)\n',
        );
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-')), 'hippo.yaml');
        fs.writeFileSync(file, generated.stdout);

        startV5('pgo', ns);
        const refused = await run(['apply', 'hippo', '-f', file, '-n', ns, '--yes', '--timeout', '60s']);
        expect(refused.code).toBe(3);
        expect(refused.stderr).toContain(`the manifest names Secret hippo-repl (spec.customReplicationTLSSecret), which does not exist in namespace ${ns}`);
        const secrets = async () => (await client().list<KubeObject>(`/api/v1/namespaces/${ns}/secrets`)).map((x) => x.metadata.name);
        expect(await secrets()).not.toContain('hippo-v4-tls');
        expect(await client().list(`/apis/${apiVersionOf(FLAVORS.pgo)}/namespaces/${ns}/postgresclusters`)).toEqual([]);

        // The user's replication certificate, for _crunchyrepl, signed by v4's CA.
        await createObjects([
            {
                apiVersion: 'v1',
                kind: 'Secret',
                metadata: { name: 'hippo-repl', namespace: ns },
                data: { 'tls.crt': pem('CERTIFICATE', 'repl'), 'tls.key': pem('PRIVATE KEY', 'repl'), 'ca.crt': pem('CERTIFICATE', 'ca') },
            } as KubeObject,
        ]);
        const applied = await run(['apply', 'hippo', '-f', file, '-n', ns, '--yes', '--timeout', '60s']);
        expect(applied.code, applied.stderr).toBe(0);
        expect(applied.stderr).toContain(
            "done: build Secret hippo-v4-tls from v4's key pair hippo-tls-keypair and CA hippo-ca (tls.crt, tls.key, ca.crt), in the cluster (never printed)",
        );
        const built = await get<{ data: Record<string, string> }>(`/api/v1/namespaces/${ns}/secrets/hippo-v4-tls`);
        const keyPair = await get<{ data: Record<string, string> }>(`/api/v1/namespaces/${ns}/secrets/hippo-tls-keypair`);
        const ca = await get<{ data: Record<string, string> }>(`/api/v1/namespaces/${ns}/secrets/hippo-ca`);
        expect(built.data).toEqual({ 'tls.crt': keyPair.data['tls.crt'], 'tls.key': keyPair.data['tls.key'], 'ca.crt': ca.data['ca.crt'] });
        const cluster = await get<V5Cluster>(`/apis/${apiVersionOf(FLAVORS.pgo)}/namespaces/${ns}/postgresclusters/hippo`);
        expect(cluster.spec?.customTLSSecret).toEqual({ name: 'hippo-v4-tls' });
        expect(cluster.spec?.customReplicationTLSSecret).toEqual({ name: 'hippo-repl' });
        const key = Buffer.from(keyPair.data['tls.key'] ?? '', 'base64').toString();
        for (const out of [generated, refused, applied]) expect(out.stdout + out.stderr).not.toContain(key.split('\n')[1]);
    });
});

describe('apply when things go wrong', () => {
    it('refuses (exit 3) while the v4 pgcluster still exists', async () => {
        const ns = await createNamespace('apply-early');
        await createObjects(v4Cluster({ namespace: ns }));
        const r = await run(['apply', 'hippo', '-n', ns, '--target', 'pgo', ...IMAGE_FLAGS, '--yes']);
        expect(r.code).toBe(3);
        expect(r.stderr).toContain(
            `error: pgcluster hippo still exists in namespace ${ns}: run "kubectl ivyo-upgrade prepare hippo -n ${ns} --method volumes --target pgo" first (nothing was changed)`,
        );
        expect(await client().list(`/apis/${FLAVORS.pgo.group}/v1beta1/namespaces/${ns}/postgresclusters`)).toEqual([]);
    });

    it('never takes over a same-named v5 cluster it did not create from this v4 cluster (exit 3, nothing changed)', async () => {
        const ns = await preparedNamespace('apply-foreign');
        const f = FLAVORS.pgo;
        const generated = await run(['generate', 'hippo', '-n', ns, '--target', 'pgo', ...IMAGE_FLAGS]);
        expect(generated.code, generated.stderr).toBe(0);
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-')), 'hippo.yaml');
        fs.writeFileSync(file, generated.stdout);
        await client().request('POST', `/apis/${f.group}/${f.version}/namespaces/${ns}/${f.plural}`, {
            body: {
                apiVersion: apiVersionOf(f),
                kind: f.kind,
                metadata: { name: 'hippo' },
                spec: {
                    postgresVersion: 16,
                    instances: [{ name: '00', dataVolumeClaimSpec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1G' } } } }],
                    backups: { pgbackrest: { repos: [{ name: 'repo1' }] } },
                },
            },
        });
        const before = await namespaceVersions(ns);
        // A manifest made before that cluster: apply's own check.
        const r = await run(['apply', 'hippo', '-f', file, '-n', ns, '--yes']);
        expect(r.code, r.stderr).toBe(3);
        expect(r.stderr).toContain(
            `error: PostgresCluster hippo already exists in namespace ${ns} and was not made by this tool from v4 cluster hippo (annotation ivyo-upgrade.ivorysql.org/v4-cluster: none)`,
        );
        // Generating (apply without -f, or generate): refused there first, with the way out.
        for (const argv of [
            ['apply', 'hippo', '--yes'],
            ['generate', 'hippo'],
        ]) {
            const g = await run([...argv, '-n', ns, '--target', 'pgo', ...IMAGE_FLAGS]);
            expect(g.code, g.stderr).toBe(3);
            expect(g.stderr).toContain(`  name-collision: PostgresCluster hippo already exists in namespace ${ns} and was not made by this tool from v4 cluster hippo`);
            expect(g.stderr).toContain('pass --name for another v5 name');
        }
        expect(await namespaceVersions(ns)).toEqual(before);
    });

    it('--dry-run=server persists nothing', async () => {
        const ns = await preparedNamespace('apply-dry');
        const r = await run(['apply', 'hippo', '-n', ns, '--target', 'pgo', ...IMAGE_FLAGS, '--dry-run=server', '--yes']);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toContain('accepted by the server (dry run): create PostgresCluster hippo');
        expect(await client().list(`/apis/${FLAVORS.pgo.group}/v1beta1/namespaces/${ns}/postgresclusters`)).toEqual([]);
        await expect(get(`/api/v1/namespaces/${ns}/secrets/hippo-pguser-hippo`)).rejects.toMatchObject({ status: 404 });
    });

    it('reports a failed move Job with its log and the fix; after the Job is deleted, a re-run finishes', async () => {
        const ns = await preparedNamespace('apply-movefail');
        startV5('pgo', ns, { failJobs: ['hippo-move-pgdata-dir'] });
        const r = await run(['apply', 'hippo', '-n', ns, '--target', 'pgo', ...IMAGE_FLAGS, '--yes', '--timeout', '30s']);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('error: move Job hippo-move-pgdata-dir failed; last lines of its log:');
        expect(r.stderr).toContain(`then delete the Job ("kubectl delete job hippo-move-pgdata-dir -n ${ns}") so the operator runs it again, and run apply again`);
        expect(r.stderr).toContain('Done before stopping:\n  - copy the v4 password');

        await client().request('DELETE', `/apis/batch/v1/namespaces/${ns}/jobs/hippo-move-pgdata-dir`, { query: { propagationPolicy: 'Background' } });
        const again = await run(['apply', 'hippo', '-n', ns, '--target', 'pgo', ...IMAGE_FLAGS, '--yes', '--timeout', '30s']);
        expect(again.stderr).not.toContain('error');
        expect(again.code).toBe(0);
        expect(again.stderr).not.toContain('done: create PostgresCluster');
        const cluster = await get<V5Cluster>(`/apis/${FLAVORS.pgo.group}/v1beta1/namespaces/${ns}/postgresclusters/hippo`);
        expect(cluster.spec?.dataSource?.volumes).toBeUndefined();
    });
});
