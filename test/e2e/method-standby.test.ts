import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject, PersistentVolume } from '../../src/kube/types.js';
import type { Inspection } from '../../src/v4/inspection.js';
import type { V5Cluster } from '../../src/v5/cluster.js';
import { SCENARIOS } from '../fixtures/v4/cluster.js';
import { CRD_FILES, celViolations } from '../support/cel.js';
import { IMAGES } from '../support/golden.js';
import { adminClient, adminKubeconfig, createNamespace, createObjects, run } from '../support/kube.js';
import { V4OperatorSimulator } from './simulators/v4-operator.js';
import { V5OperatorSimulator } from './simulators/v5-operator.js';

const client = () => adminClient();
const IMAGE_FLAGS = ['--image', IMAGES.image, '--pgbackrest-image', IMAGES.pgbackrestImage];
let simulator: V5OperatorSimulator | null = null;
let v4Operator: V4OperatorSimulator | null = null;
afterEach(async () => {
    for (const s of [simulator, v4Operator]) {
        await s?.stop();
        expect(s?.errors ?? []).toEqual([]);
    }
    simulator = null;
    v4Operator = null;
});

describe('method 3, standby, to PGO: the standby beside the running v4 cluster', () => {
    it('inspect → prepare (nothing of v4 changes) → generate → apply (passwords and credentials first, v4 untouched) → promote (never while v4 runs; interrupted, it goes on; it stops for the replay check)', async () => {
        const ns = await createNamespace('standby');
        await createObjects(SCENARIOS.s3(ns));
        const v4Password = (await client().get<{ data: { password: string } }>(`/api/v1/namespaces/${ns}/secrets/hippo-hippo-secret`)).data.password;
        const pvPolicies = async () =>
            (await client().list<PersistentVolume>('/api/v1/persistentvolumes'))
                .filter((p) => p.spec?.claimRef?.namespace === ns)
                .map((p) => p.spec?.persistentVolumeReclaimPolicy);

        const inspected = JSON.parse((await run(['inspect', 'hippo', '-n', ns, '--target', 'pgo', '-o', 'json'])).stdout) as Inspection;
        // Only what generate's --image settles stands in the way.
        expect(inspected.methods.standby.blockers.map((b) => b.code)).toEqual(['postgres-major-no-default-image']);

        const prepared = await run(['prepare', 'hippo', '-n', ns, '--method', 'standby', '--target', 'pgo', '--yes']);
        expect(prepared.code, prepared.stderr).toBe(0);
        expect(prepared.stderr).toContain(
            `v4 cluster hippo is checked and recorded; nothing of it changed. Next:\n  kubectl ivyo-upgrade apply hippo -n ${ns} --method standby --target pgo`,
        );
        expect(await client().get(`/api/v1/namespaces/${ns}/configmaps/hippo-ivyo-upgrade`)).toBeTruthy();
        expect(await client().get(`/apis/crunchydata.com/v1/namespaces/${ns}/pgclusters/hippo`)).toBeTruthy();
        expect(new Set(await pvPolicies())).toEqual(new Set(['Delete']));

        const generated = await run(['generate', 'hippo', '-n', ns, '--method', 'standby', '--target', 'pgo', ...IMAGE_FLAGS, '-o', 'json']);
        expect(generated.code, generated.stderr).toBe(0);
        const manifest = JSON.parse(generated.stdout) as V5Cluster;
        expect(manifest.metadata.name).toBe('hippo-v5');
        expect(manifest.spec?.standby).toEqual({ enabled: true, repoName: 'repo1' });
        expect(manifest.spec?.backups?.pgbackrest?.global?.['repo1-path']).toBe('/backrestrepo/hippo-backrest-shared-repo');
        expect(celViolations(CRD_FILES.pgo, manifest)).toEqual([]);
        const validated = await run(['generate', 'hippo', '-n', ns, '--method', 'standby', '--target', 'pgo', ...IMAGE_FLAGS, '--validate']);
        expect(validated.code, validated.stderr).toBe(0);

        simulator = new V5OperatorSimulator(client(), 'pgo', ns).start();
        const applied = await run(['apply', 'hippo', '-n', ns, '--method', 'standby', '--target', 'pgo', ...IMAGE_FLAGS, '--yes', '--timeout', '60s']);
        expect(applied.code, applied.stderr).toBe(0);
        expect(applied.stderr).toContain('done: copy the v4 password of user hippo from Secret hippo-hippo-secret into Secret hippo-v5-pguser-hippo');
        expect(applied.stderr).toContain('done: convert the v4 S3 credentials of Secret hippo-backrest-repo-config into Secret hippo-v5-v4-repo-credentials');
        expect(applied.stderr).toContain('done: create PostgresCluster hippo-v5');
        expect(applied.stderr).toContain('PostgresCluster hippo-v5 is a standby of v4 cluster hippo');
        expect(applied.stderr).toContain(`kubectl ivyo-upgrade promote hippo -n ${ns}`);
        const cluster = await client().get<V5Cluster>(`/apis/postgres-operator.crunchydata.com/v1beta1/namespaces/${ns}/postgresclusters/hippo-v5`);
        expect(cluster.spec?.standby).toEqual({ enabled: true, repoName: 'repo1' });
        // Nothing of v5 writes into v4's repository path before promotion: no schedule, no manual backup, no stanza.
        expect(cluster.spec?.backups?.pgbackrest?.repos?.map((r) => r.schedules)).toEqual([undefined]);
        expect(cluster.spec?.backups?.pgbackrest).not.toHaveProperty('manual');
        expect(applied.stderr).toContain('how far it has replayed could not be read (no pod of hippo-v5 is its standby leader');
        // The credentials are in v5 before anything of v4's is touched, and v4 still runs as it did.
        const pguser = await client().get<{ data: { password: string } }>(`/api/v1/namespaces/${ns}/secrets/hippo-v5-pguser-hippo`);
        expect(pguser.data.password).toBe(v4Password);
        const v4 = await client().get<KubeObject & { spec: { shutdown?: boolean } }>(`/apis/crunchydata.com/v1/namespaces/${ns}/pgclusters/hippo`);
        expect(v4.spec.shutdown).toBeUndefined();
        expect(new Set(await pvPolicies())).toEqual(new Set(['Delete']));
        const decoded = Buffer.from(v4Password, 'base64').toString();
        for (const out of [prepared, generated, applied]) expect(out.stdout + out.stderr).not.toContain(decoded);

        const again = await run(['apply', 'hippo', '-n', ns, '--method', 'standby', '--target', 'pgo', ...IMAGE_FLAGS, '--yes', '--timeout', '10s']);
        expect(again.code, again.stderr).toBe(0);
        expect(again.stderr).toContain(`Nothing to do: apply PostgresCluster hippo-v5 in namespace ${ns}, a standby of v4 cluster hippo is already done.`);
        // v4 archiving asynchronously: refused before anything is written, as its spool is out of the proof's sight.
        await createObjects([
            {
                apiVersion: 'v1',
                kind: 'ConfigMap',
                metadata: { name: 'hippo-config-backrest', namespace: ns },
                data: { 'async.conf': '[global]\narchive-async=y\n' },
            } as KubeObject,
        ]);
        const spooling = await run(['promote', 'hippo', '-n', ns, '--yes']);
        expect(spooling.code).toBe(3);
        expect(spooling.stderr).toContain('v4 archives asynchronously (ConfigMap hippo-config-backrest async.conf [global] archive-async=y)');
        expect((await client().get<KubeObject>(`/apis/crunchydata.com/v1/namespaces/${ns}/pgclusters/hippo`)).metadata.annotations).not.toHaveProperty(
            'ivyo-upgrade.ivorysql.org/promoted-to',
        );
        await client().request('PATCH', `/api/v1/namespaces/${ns}/configmaps/hippo-config-backrest`, {
            body: { data: { 'async.conf': '[global]\narchive-async=n\n' } },
            contentType: 'application/merge-patch+json',
        });

        // promote, with no v4 operator at work: v4 is asked to shut down and never seen down, so nothing is promoted.
        const v5 = `/apis/postgres-operator.crunchydata.com/v1beta1/namespaces/${ns}/postgresclusters/hippo-v5`;
        const early = await run(['promote', 'hippo', '-n', ns, '--confirm-replayed', '--yes', '--timeout', '2s']);
        expect(early.code).toBe(1);
        expect(early.stderr).toContain('Done before stopping:\n  - annotate pgcluster hippo ivyo-upgrade.ivorysql.org/promoted-to=hippo-v5');
        expect(early.stderr).toContain('  - shut v4 cluster hippo down the v4 way (spec.shutdown: true');
        expect((await client().get<V5Cluster>(v5)).spec?.standby?.enabled).toBe(true);

        // The v4 operator shuts v4 down; the interrupted promote goes on, and stops for the replay check.
        v4Operator = await new V4OperatorSimulator(adminKubeconfig(), ns).start();
        const shut = await run(['promote', 'hippo', '-n', ns, '--yes', '--timeout', '60s']);
        expect(shut.code).toBe(3);
        // No kubelet runs here, so no standby leader pod to read the replay in: promote stops for the user to check it.
        expect(shut.stderr).toContain(
            'v4 cluster hippo is shut down; hippo-v5 is still a standby. promote could not check that it replayed everything v4 archived (no pod of hippo-v5 is its standby leader',
        );
        expect(shut.stderr).toContain(`kubectl ivyo-upgrade promote hippo -n ${ns} --confirm-replayed`);
        const v4After = await client().get<KubeObject & { spec: { shutdown?: boolean }; status: { state: string } }>(`/apis/crunchydata.com/v1/namespaces/${ns}/pgclusters/hippo`);
        expect(v4After.status.state).toBe('pgcluster Shutdown');
        expect(v4After.metadata.annotations?.['ivyo-upgrade.ivorysql.org/promoted-to']).toBe('hippo-v5');
        const deployments = await client().list<KubeObject & { spec: { replicas: number } }>(`/apis/apps/v1/namespaces/${ns}/deployments`, { labelSelector: 'pg-cluster=hippo' });
        expect(deployments.map((d) => d.spec.replicas)).toEqual(deployments.map(() => 0));
        expect((await client().get<V5Cluster>(v5)).spec?.standby?.enabled).toBe(true);

        const promoted = await run(['promote', 'hippo', '-n', ns, '--confirm-replayed', '--yes', '--timeout', '60s']);
        expect(promoted.code, promoted.stderr).toBe(0);
        expect(promoted.stderr).toContain(
            'done: promote PostgresCluster hippo-v5 (spec.standby.enabled: false, a JSON patch with a test op), as you confirmed it replayed everything v4 archived',
        );
        // No pod runs here to create the replication role in: promote prints the SQL and how to run it.
        expect(promoted.stderr).toContain('the replication role _crunchyrepl, which promote could not check (no pod of hippo-v5 runs)');
        expect(promoted.stderr).toContain('CREATE ROLE _crunchyrepl WITH LOGIN REPLICATION');
        expect((await client().get<V5Cluster>(v5)).spec?.standby).toEqual({ enabled: false, repoName: 'repo1' });
        const rerun = await run(['promote', 'hippo', '-n', ns, '--confirm-replayed', '--yes']);
        expect(rerun.code).toBe(0);
        expect(rerun.stderr).toContain(`Nothing to do: promote PostgresCluster hippo-v5 in namespace ${ns}, the standby of v4 cluster hippo is already done.`);
    });

    it('IVYO cannot run v4 data: generate --method standby --target ivyo exits 3 and names the road that works', async () => {
        const ns = await createNamespace('standby-ivyo');
        await createObjects(SCENARIOS.s3(ns));
        const r = await run(['generate', 'hippo', '-n', ns, '--method', 'standby', '--target', 'ivyo']);
        expect(r.code).toBe(3);
        expect(r.stderr).toContain('target-cannot-run-v4-data');
        expect(r.stderr).toContain('--method logical');
    });
});
