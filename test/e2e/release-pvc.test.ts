import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KubeObject, PersistentVolume, PersistentVolumeClaim } from '../../src/kube/types.js';
import type { V5Cluster } from '../../src/v5/cluster.js';
import { orAbsent } from '../../src/kube/errors.js';
import { FLAVORS, type FlavorName } from '../../src/targets/flavors.js';
import { v4Cluster } from '../fixtures/v4/cluster.js';
import { adminClient, createNamespace, createObjects, run } from '../support/kube.js';
import { V5OperatorSimulator } from './simulators/v5-operator.js';

const client = () => adminClient();
const ADOPTED = ['hippo-jgut', 'hippo-jgut-wal', 'hippo-pgbr-repo'];
let simulator: V5OperatorSimulator | undefined;
afterEach(async () => {
    await simulator?.stop();
    expect(simulator?.errors ?? []).toEqual([]);
    simulator = undefined;
});

/** A namespace where a v5 cluster `hippo` has adopted the (already prepared) v4 volumes through apply. */
async function adopted(flavor: FlavorName, prefix: string): Promise<string> {
    const ns = await createNamespace(prefix);
    const volumes = v4Cluster({ namespace: ns, primary: 'hippo-jgut', wal: true }).filter((o) => o.kind === 'PersistentVolume' || o.kind === 'PersistentVolumeClaim');
    await createObjects(volumes.filter((o) => ['hippo-jgut', 'hippo-jgut-wal', 'hippo-pgbr-repo'].some((n) => o.metadata.name.endsWith(n))));
    const manifest = load(fs.readFileSync(path.resolve(`test/fixtures/golden/volumes-failover-${flavor}.yaml`), 'utf8')) as KubeObject;
    manifest.metadata.namespace = ns;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'release-')), 'cluster.yaml');
    fs.writeFileSync(file, JSON.stringify(manifest));
    simulator = new V5OperatorSimulator(client(), flavor, ns).start();
    const r = await run(['apply', '-f', file, '--yes', '--timeout', '30s']);
    expect(r.code, r.stderr).toBe(0);
    for (const name of ADOPTED) expect((await pvc(ns, name))?.metadata.ownerReferences?.length, name).toBe(1);
    return ns;
}

// Absent only on a 404: a 403 or a timeout fails the test instead of passing for "deleted".
const pvc = (ns: string, name: string) => orAbsent(client().get<PersistentVolumeClaim>(`/api/v1/namespaces/${ns}/persistentvolumeclaims/${name}`));
const clusterPath = (flavor: FlavorName, ns: string) => `/apis/${FLAVORS[flavor].group}/v1beta1/namespaces/${ns}/${FLAVORS[flavor].plural}/hippo`;

/** Waits for a condition of the cluster (vitest's waitFor: polled, bounded, failing with `what`). */
function until(what: string, check: () => Promise<boolean>): Promise<void> {
    return vi.waitFor(
        async () => {
            if (!(await check())) throw new Error(`${what} after 30s`);
        },
        { timeout: 30_000, interval: 250 },
    );
}

/** Deletes the v5 cluster and waits until the garbage collector has processed its dependents (its Jobs). */
async function deleteCluster(flavor: FlavorName, ns: string): Promise<void> {
    await client().request('DELETE', clusterPath(flavor, ns));
    await until('cluster still there', async () => (await orAbsent(client().get(clusterPath(flavor, ns)))) === null);
    await until('the garbage collector has not removed the move Jobs', async () => (await client().list(`/apis/batch/v1/namespaces/${ns}/jobs`)).length === 0);
}

// PGO only: IVYO cannot adopt v4 volumes (generate and apply refuse it), so no generated IvoryCluster owns them.
describe.each(['pgo'] as const)('release-pvc against the garbage collector (%s)', (flavor) => {
    it('without release-pvc, deleting the v5 cluster deletes the adopted PVCs: the danger is real here', async () => {
        const ns = await adopted(flavor, `gc-danger-${flavor}`);
        await deleteCluster(flavor, ns);
        // A deleted PVC waits on its pvc-protection finalizer (no protection controller runs): as good as gone.
        await until('adopted PVCs not deleted', async () => (await Promise.all(ADOPTED.map((n) => pvc(ns, n)))).every((p) => p === null || p.metadata.deletionTimestamp));
    });

    it('after release-pvc, deleting the v5 cluster leaves every PVC, its PV and its claim intact', async () => {
        const ns = await adopted(flavor, `gc-safe-${flavor}`);
        const refused = await run(['release-pvc', '--all', '--cluster', 'hippo', '-n', ns, '--yes']);
        expect(refused.code).toBe(3);
        expect(refused.stderr).toContain(`PVC hippo-jgut holds the data of running ${FLAVORS[flavor].kind} hippo`);
        await client().request('PATCH', clusterPath(flavor, ns), { body: { spec: { shutdown: true } }, contentType: 'application/merge-patch+json' });

        const plan = await run(['release-pvc', '--all', '--cluster', 'hippo', '-n', ns, '--dry-run=client']);
        expect(plan.stdout).toContain(`remove labels ${FLAVORS[flavor].labelPrefix}cluster,`);
        expect(plan.stdout).toContain(`${FLAVORS[flavor].labelPrefix}data`);
        const r = await run(['release-pvc', '--all', '--cluster', 'hippo', '-n', ns, '--yes']);
        expect(r.stderr).not.toContain('error');
        expect(r.code).toBe(0);
        expect(r.stderr).toContain(`Released: deleting ${FLAVORS[flavor].kind} hippo now leaves hippo-jgut, hippo-jgut-wal, hippo-pgbr-repo`);

        const uid = (await client().get<V5Cluster>(clusterPath(flavor, ns))).metadata.uid;
        // deleteCluster returns once the garbage collector has removed the cluster's dependents (its move Jobs);
        // the released PVCs no longer name the cluster as owner, so they are not among them.
        await deleteCluster(flavor, ns);
        for (const name of ADOPTED) {
            const p = await pvc(ns, name);
            expect(p, name).not.toBeNull();
            expect(p!.metadata.deletionTimestamp, name).toBeUndefined();
            expect(p!.status?.phase, name).toBe('Bound');
            expect(p!.metadata.ownerReferences ?? [], name).not.toContainEqual(expect.objectContaining({ uid }));
            expect(
                Object.keys(p!.metadata.labels ?? {}).filter((l) => l.startsWith(FLAVORS[flavor].labelPrefix)),
                name,
            ).toEqual([]);
            const pv = await client().get<PersistentVolume>(`/api/v1/persistentvolumes/${p!.spec!.volumeName}`);
            expect(pv.spec?.persistentVolumeReclaimPolicy, name).toBe('Retain');
            expect(pv.status?.phase, name).toBe('Bound');
        }
        const again = await run(['release-pvc', 'hippo-pgbr-repo', '-n', ns, '--yes']);
        expect(again.code).toBe(0);
        expect(again.stderr).toBe('Nothing to do: PVC hippo-pgbr-repo is not adopted by any IvoryCluster or PostgresCluster.\n');
    });
});

describe('release-pvc of one PVC', () => {
    it('finds the owner from ownerReferences, checks --cluster, and releases a repo PVC of a running cluster', async () => {
        const ns = await adopted('pgo', 'release-one');
        const wrong = await run(['release-pvc', 'hippo-pgbr-repo', '--cluster', 'other', '-n', ns, '--yes']);
        expect(wrong.code).toBe(1);
        expect(wrong.stderr).toBe('error: PVC hippo-pgbr-repo belongs to PostgresCluster hippo, not to other: leave --cluster out, or name the right cluster\n');
        const r = await run(['release-pvc', 'hippo-pgbr-repo', '-n', ns, '--yes']);
        expect(r.code, r.stderr).toBe(0);
        const repo = await pvc(ns, 'hippo-pgbr-repo');
        expect(repo?.metadata.ownerReferences).toBeUndefined();
        // Only the v5 labels go; release-pvc leaves other labels (here v4's, as no prepare ran) alone.
        expect(repo?.metadata.labels ?? {}).toEqual({ 'pg-cluster': 'hippo', vendor: 'crunchydata' });
        // The other PVCs are still the cluster's.
        expect((await pvc(ns, 'hippo-jgut'))?.metadata.ownerReferences?.length).toBe(1);
        const missing = await run(['release-pvc', 'nope', '-n', ns, '--yes']);
        expect(missing.code).toBe(1);
        expect(missing.stderr).toBe(`error: PVC "nope" not found in namespace "${ns}"\n`);
    });
});
