import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject, PersistentVolume, PersistentVolumeClaim } from '../../src/kube/types.js';
import type { V5Cluster } from '../../src/v5/cluster.js';
import { orAbsent } from '../../src/kube/errors.js';
import { v4Cluster } from '../fixtures/v4/cluster.js';
import { IMAGES } from '../support/golden.js';
import { adminClient, adminKubeconfig, createNamespace, createObjects, run } from '../support/kube.js';
import { V4OperatorSimulator, type V4SimulatorHooks } from './simulators/v4-operator.js';
import { V5OperatorSimulator } from './simulators/v5-operator.js';

const client = () => adminClient();
const IMAGE_FLAGS = ['--image', IMAGES.image, '--pgbackrest-image', IMAGES.pgbackrestImage];
const simulators: { stop(): Promise<void>; errors: unknown[] }[] = [];
afterEach(async () => {
    for (const s of simulators.splice(0)) {
        await s.stop();
        expect(s.errors).toEqual([]);
    }
});
const get = <T>(p: string) => client().get<T>(p);
// Absent only on a 404: a 403 or a timeout fails the test instead of passing for "deleted".
const pvc = (ns: string, name: string) => orAbsent(get<PersistentVolumeClaim>(`/api/v1/namespaces/${ns}/persistentvolumeclaims/${name}`));
const names = async (p: string) => (await client().list<KubeObject>(p)).map((o) => o.metadata.name).sort();

/** A namespace holding the v4 cluster `objects(ns)` builds, with the v4 operator simulated. */
async function withV4(objects: (ns: string) => KubeObject[], prefix: string, hooks: V4SimulatorHooks = {}): Promise<string> {
    const ns = await createNamespace(prefix);
    await createObjects(objects(ns));
    simulators.push(await new V4OperatorSimulator(adminKubeconfig(), ns, hooks).start());
    return ns;
}

describe('method 2, backups, end to end', () => {
    it('posix to PGO: backup the v4 way, delete v4 keeping backups and data, restore from the adopted repo PVC', async () => {
        const ns = await createNamespace('backups-posix');
        await createObjects(v4Cluster({ namespace: ns, replicas: ['hippo-abcd'] }));
        simulators.push(await new V4OperatorSimulator(adminKubeconfig(), ns).start());

        const prepared = await run(['prepare', 'hippo', '-n', ns, '--method', 'backups', '--target', 'pgo', '--yes', '--timeout', '60s']);
        expect(prepared.stderr).not.toContain('error');
        expect(prepared.code).toBe(0);
        expect(prepared.stderr).toContain('done: take a full backup the v4 way (pgtask backrest-backup-hippo on repo pod hippo-backrest-shared-repo-');
        // No kubelet here: exec cannot reach the repo pod, and prepare says so plainly.
        expect(prepared.stderr).toMatch(
            /cannot show the posix backup set \(pod hippo-backrest-shared-repo-\S+ is Pending, not Running; exec answered: .+\); check it yourself before going on: kubectl exec -n \S+ hippo-backrest-shared-repo-\S+ -c database -- pgbackrest info --output json/,
        );
        const task = await orAbsent(
            get<{ spec: { status?: string; parameters: Record<string, string> } }>(`/apis/crunchydata.com/v1/namespaces/${ns}/pgtasks/backrest-backup-hippo`),
        );
        // v4's cluster cleanup deletes its pgtasks; the backup Job stayed until then and succeeded.
        expect(task).toBeNull();
        expect(await names(`/apis/crunchydata.com/v1/namespaces/${ns}/pgclusters`)).toEqual([]);
        for (const name of ['hippo', 'hippo-abcd', 'hippo-pgbr-repo']) expect((await pvc(ns, name))?.metadata.deletionTimestamp, name).toBeUndefined();
        const repo = (await pvc(ns, 'hippo-pgbr-repo'))!;
        expect((await get<PersistentVolume>(`/api/v1/persistentvolumes/${repo.spec!.volumeName}`)).spec?.persistentVolumeReclaimPolicy).toBe('Retain');
        expect(repo.metadata.labels ?? {}).toEqual({});

        simulators.push(new V5OperatorSimulator(client(), 'pgo', ns).start());
        const applied = await run(['apply', 'hippo', '-n', ns, '--target', 'pgo', '--method', 'backups', ...IMAGE_FLAGS, '--yes', '--timeout', '60s']);
        expect(applied.stderr).not.toContain('error');
        expect(applied.code).toBe(0);
        expect(applied.stderr).toContain('done: remove spec.dataSource.volumes from PostgresCluster hippo');
        const cluster = await get<V5Cluster>(`/apis/postgres-operator.crunchydata.com/v1beta1/namespaces/${ns}/postgresclusters/hippo`);
        expect(cluster.status?.conditions).toContainEqual(expect.objectContaining({ type: 'PostgresDataInitialized', status: 'True' }));
        expect(cluster.spec?.dataSource?.volumes).toBeUndefined();
        expect(cluster.spec?.dataSource?.postgresCluster).toEqual({ repoName: 'repo1' });
        const adopted = (await pvc(ns, 'hippo-pgbr-repo'))!;
        expect(adopted.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'PostgresCluster', uid: cluster.metadata.uid })]);
        expect(adopted.metadata.labels?.['postgres-operator.crunchydata.com/data']).toBe('pgbackrest');
    });

    it('S3 to PGO with --delete-data: v4 deletes the data PVCs on request, the credentials move into a Secret in the cluster only', async () => {
        const s3 = { bucket: 'hippo-backups', endpoint: 's3.us-east-1.amazonaws.com', region: 'us-east-1', uriStyle: 'path', verifyTLS: 'false' };
        const ns = await withV4((namespace) => v4Cluster({ namespace, repo: { types: ['local', 's3'], s3 } }), 'backups-s3');
        const prepared = await run(['prepare', 'hippo', '-n', ns, '--method', 'backups', '--target', 'pgo', '--delete-data', '--backup-type', 'diff', '--yes', '--timeout', '60s']);
        expect(prepared.code, prepared.stderr).toBe(0);
        expect(prepared.stderr).toContain('annotate pgcluster hippo keep-backups only: v4 will DELETE the data PVCs (--delete-data) and keep the repository');
        expect(prepared.stderr).toContain('take a diff backup');
        expect((await pvc(ns, 'hippo'))?.metadata.deletionTimestamp ?? 'gone').toBeTruthy();
        expect((await pvc(ns, 'hippo-pgbr-repo'))?.metadata.deletionTimestamp).toBeUndefined();
        expect(await names(`/api/v1/namespaces/${ns}/secrets`)).toContain('hippo-backrest-repo-config');

        simulators.push(new V5OperatorSimulator(client(), 'pgo', ns).start());
        const applied = await run(['apply', 'hippo', '-n', ns, '--target', 'pgo', '--method', 'backups', '--repo', 's3', ...IMAGE_FLAGS, '--yes', '--timeout', '60s']);
        expect(applied.stderr).not.toContain('error');
        expect(applied.code).toBe(0);
        expect(applied.stderr).toContain(
            'done: convert the v4 S3 credentials of Secret hippo-backrest-repo-config into Secret hippo-v4-repo-credentials, in the cluster (never printed)',
        );
        const secret = await get<{ data: Record<string, string> }>(`/api/v1/namespaces/${ns}/secrets/hippo-v4-repo-credentials`);
        expect(Buffer.from(secret.data['s3.conf']!, 'base64').toString()).toBe(
            '[global]\nrepo1-s3-key=AKIAEXAMPLE\nrepo1-s3-key-secret=s3-secret-example\nrepo1-s3-ca-file=/etc/pgbackrest/conf.d/s3-ca.crt\n',
        );
        for (const out of [prepared, applied]) expect(out.stdout + out.stderr).not.toMatch(/AKIAEXAMPLE|s3-secret-example/);
        const cluster = await get<V5Cluster & { spec: { backups: { pgbackrest: { global: Record<string, string> } } } }>(
            `/apis/postgres-operator.crunchydata.com/v1beta1/namespaces/${ns}/postgresclusters/hippo`,
        );
        expect(cluster.spec.backups.pgbackrest.global).toEqual({
            'repo1-path': '/backrestrepo/hippo-backrest-shared-repo',
            'repo1-s3-uri-style': 'path',
            'repo1-storage-verify-tls': 'n',
        });
        expect(cluster.status?.conditions).toContainEqual(expect.objectContaining({ type: 'PostgresDataInitialized', status: 'True' }));
    });

    it('stops before deleting anything when the backup fails', async () => {
        const ns = await withV4((namespace) => v4Cluster({ namespace }), 'backups-fail', { failBackups: true });
        const r = await run(['prepare', 'hippo', '-n', ns, '--method', 'backups', '--target', 'pgo', '--yes', '--timeout', '60s']);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('error: the v4 backup Job backrest-backup-hippo failed: nothing was deleted.');
        expect(await names(`/apis/crunchydata.com/v1/namespaces/${ns}/pgclusters`)).toEqual(['hippo']);
        const cluster = await get<KubeObject>(`/apis/crunchydata.com/v1/namespaces/${ns}/pgclusters/hippo`);
        expect(cluster.metadata.annotations?.['keep-backups']).toBeUndefined();
    });

    it('reports a failed restore with what to do', async () => {
        const ns = await withV4((namespace) => v4Cluster({ namespace }), 'backups-restorefail');
        expect((await run(['prepare', 'hippo', '-n', ns, '--method', 'backups', '--target', 'pgo', '--yes', '--timeout', '60s'])).code).toBe(0);
        simulators.push(new V5OperatorSimulator(client(), 'pgo', ns, { failRestore: true }).start());
        const r = await run(['apply', 'hippo', '-n', ns, '--target', 'pgo', '--method', 'backups', ...IMAGE_FLAGS, '--yes', '--timeout', '30s']);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('error: the restore from the v4 repository failed (PostgresDataInitialized: pgBackRest restore failed)');
        expect(r.stderr).toContain('release its PVCs first: kubectl ivyo-upgrade release-pvc --all --cluster hippo');
    });
});
