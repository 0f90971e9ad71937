import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Job, KubeObject, PersistentVolume, PersistentVolumeClaim } from '../../src/kube/types.js';
import { orAbsent } from '../../src/kube/errors.js';
import type { V4Capture } from '../../src/v4/capture.js';
import type { CarryItem } from '../../src/v5/carry.js';
import { v4Cluster } from '../fixtures/v4/cluster.js';
import { IMAGES } from '../support/golden.js';
import { adminClient, adminKubeconfig, createNamespace, createObjects, PLUGIN, run } from '../support/kube.js';
import { V4OperatorSimulator } from './simulators/v4-operator.js';

const client = () => adminClient();
const failedOver = (ns: string, extra: Parameters<typeof v4Cluster>[0] = {}) => v4Cluster({ namespace: ns, primary: 'hippo-jgut', replicas: ['hippo'], wal: true, ...extra });
const REUSED = ['hippo-jgut', 'hippo-jgut-wal', 'hippo-pgbr-repo'];

async function pvc(ns: string, name: string): Promise<PersistentVolumeClaim | null> {
    // Absent only on a 404: a 403 or a timeout fails the test instead of passing for "deleted".
    return orAbsent(client().get<PersistentVolumeClaim>(`/api/v1/namespaces/${ns}/persistentvolumeclaims/${name}`));
}
async function pvOf(ns: string, name: string): Promise<PersistentVolume> {
    return client().get<PersistentVolume>(`/api/v1/persistentvolumes/${(await pvc(ns, name))!.spec!.volumeName}`);
}
async function names(path: string): Promise<string[]> {
    return (await client().list<KubeObject>(path)).map((o) => o.metadata.name).sort();
}

/** Everything prepare could touch, to compare before and after a run that must change nothing. */
async function fingerprint(ns: string) {
    const pvcs = await client().list<PersistentVolumeClaim>(`/api/v1/namespaces/${ns}/persistentvolumeclaims`);
    return {
        pgclusters: await names(`/apis/crunchydata.com/v1/namespaces/${ns}/pgclusters`),
        pgtasks: await names(`/apis/crunchydata.com/v1/namespaces/${ns}/pgtasks`),
        deployments: await names(`/apis/apps/v1/namespaces/${ns}/deployments`),
        configmaps: await names(`/api/v1/namespaces/${ns}/configmaps`),
        pvcs: pvcs.map((p) => [p.metadata.name, p.metadata.labels]),
        policies: await Promise.all(REUSED.map(async (p) => (await pvOf(ns, p)).spec?.persistentVolumeReclaimPolicy)),
    };
}

let simulator: V4OperatorSimulator | undefined;
afterEach(async () => {
    await simulator?.stop();
    expect(simulator?.errors ?? []).toEqual([]);
    simulator = undefined;
});

describe('prepare --method volumes: nothing changes without consent', () => {
    let ns: string;
    beforeAll(async () => {
        ns = await createNamespace('prepare-safe');
        await createObjects(failedOver(ns));
    });

    it('--dry-run=client prints the plan on stdout and changes nothing', async () => {
        const before = await fingerprint(ns);
        const r = await run(['prepare', 'hippo', '-n', ns, '--method', 'volumes', '--target', 'pgo', '--dry-run=client']);
        expect(r.code).toBe(0);
        expect(r.stdout.split('\n')).toEqual([
            `Plan to prepare v4 cluster hippo in namespace ${ns} for the data-volumes method:`,
            `  1. set reclaim policy Retain on PV pv-${ns}-hippo-jgut (PVC hippo-jgut; now Delete), so the data outlives its claim`,
            `  2. set reclaim policy Retain on PV pv-${ns}-hippo-jgut-wal (PVC hippo-jgut-wal; now Delete), so the data outlives its claim`,
            `  3. set reclaim policy Retain on PV pv-${ns}-hippo-pgbr-repo (PVC hippo-pgbr-repo; now Delete), so the data outlives its claim`,
            "  4. record the v4 cluster and its configuration (Patroni, pgBouncer, pgBackRest, schedules: v4's delete removes them) in ConfigMap hippo-ivyo-upgrade (generate reads it once v4 is gone; no secrets)",
            '  5. scale down replica hippo the v4 way (pgtask hippo-rmdata), keeping its PVCs',
            '  6. annotate pgcluster hippo keep-data and keep-backups, so v4 keeps every PVC when it is deleted',
            '  7. delete pgcluster hippo; the v4 operator removes its deployments, services and ConfigMaps and keeps the PVCs',
            '  8. remove labels pg-cluster, vendor from PVC hippo-jgut, so no later v4 delete selects it',
            '  9. remove labels pg-cluster, vendor from PVC hippo-jgut-wal, so no later v4 delete selects it',
            '  10. remove labels pg-cluster, vendor from PVC hippo-pgbr-repo, so no later v4 delete selects it',
            '',
        ]);
        expect(await fingerprint(ns)).toEqual(before);
    });

    it('refuses without a terminal and without --yes (exit 3), changing nothing', async () => {
        const before = await fingerprint(ns);
        const r = await run(['prepare', 'hippo', '-n', ns, '--method', 'volumes', '--target', 'pgo']);
        expect(r.code).toBe(3);
        expect(r.stderr).toContain('You are about to prepare v4 cluster hippo');
        expect(r.stderr).toContain(
            'error: refusing to change the cluster without confirmation: standard input is not a terminal; review the plan (--dry-run=client) and pass --yes',
        );
        expect(await fingerprint(ns)).toEqual(before);
    });

    it('asks (y/N) on a terminal; answering n changes nothing (exit 1)', async () => {
        const before = await fingerprint(ns);
        // util-linux `script` gives the plugin a pseudo-terminal, as a person's shell would; "n" is typed into it.
        const command = `${PLUGIN} prepare hippo -n ${ns} --method volumes --target pgo`;
        const r = await run(['-qec', command, '/dev/null'], { command: 'script', stdin: 'n\n' });
        expect(r.code).toBe(1);
        expect(r.stdout).toContain('Do you want to continue? (y/N) ');
        expect(r.stdout).toContain('error: cancelled at the prompt; nothing was changed');
        expect(await fingerprint(ns)).toEqual(before);
    });

    it('--dry-run=server sends every write with dryRun=All and persists nothing', async () => {
        const before = await fingerprint(ns);
        const r = await run(['prepare', 'hippo', '-n', ns, '--method', 'volumes', '--target', 'pgo', '--dry-run=server', '--yes']);
        expect(r.stderr).not.toContain('error');
        expect(r.code).toBe(0);
        expect(r.stderr).toContain(`accepted by the server (dry run): delete pgcluster hippo`);
        expect(r.stderr).toContain('accepted by the server (dry run): remove labels pg-cluster, vendor from PVC hippo-pgbr-repo');
        expect(await fingerprint(ns)).toEqual(before);
    });
});

describe('prepare --method volumes with the v4 operator at work', () => {
    let ns: string;
    beforeAll(async () => {
        ns = await createNamespace('prepare');
        await createObjects(failedOver(ns));
    });

    it('scales down the replica, deletes the pgcluster keeping every PVC, and leaves them Retain and unlabelled', async () => {
        simulator = await new V4OperatorSimulator(adminKubeconfig(), ns).start();
        const r = await run(['prepare', 'hippo', '-n', ns, '--method', 'volumes', '--target', 'pgo', '--yes', '--timeout', '60s']);
        expect(r.stderr).not.toContain('error');
        expect(r.code).toBe(0);
        expect(r.stderr).toContain('done: delete pgcluster hippo');
        expect(r.stderr).toContain(`hippo is prepared: its PVCs are kept, v4 is gone. Next:\n  kubectl ivyo-upgrade generate hippo -n ${ns}`);

        expect(await names(`/apis/crunchydata.com/v1/namespaces/${ns}/pgclusters`)).toEqual([]);
        expect(await names(`/apis/apps/v1/namespaces/${ns}/deployments`)).toEqual([]);
        // Every PVC is still there (the replica's too: --delete-replica-data was not given), bound, not terminating.
        for (const name of [...REUSED, 'hippo', 'hippo-wal']) {
            const p = await pvc(ns, name);
            expect(p, name).not.toBeNull();
            expect(p!.metadata.deletionTimestamp, name).toBeUndefined();
            expect(p!.status?.phase, name).toBe('Bound');
        }
        for (const name of REUSED) {
            expect((await pvOf(ns, name)).spec?.persistentVolumeReclaimPolicy, name).toBe('Retain');
            expect((await pvc(ns, name))!.metadata.labels ?? {}, name).toEqual({});
        }
        // keep-data kept the user Secrets and keep-backups the repo config; the v4 Patroni ConfigMap is gone.
        expect(await names(`/api/v1/namespaces/${ns}/secrets`)).toEqual(expect.arrayContaining(['hippo-backrest-repo-config', 'hippo-hippo-secret']));
        expect(await names(`/api/v1/namespaces/${ns}/configmaps`)).toEqual(['hippo-ivyo-upgrade']);
        const jobs = await client().list<Job>(`/apis/batch/v1/namespaces/${ns}/jobs`, { labelSelector: 'pgrmdata=true' });
        expect(jobs.length).toBe(2);
    });

    it('changes nothing when run again', async () => {
        const before = await fingerprint(ns);
        const r = await run(['prepare', 'hippo', '-n', ns, '--method', 'volumes', '--target', 'pgo', '--yes', '--timeout', '5s']);
        expect(r.code).toBe(0);
        expect(r.stderr).toBe(`Nothing to do: prepare v4 cluster hippo in namespace ${ns} for the data-volumes method is already done.\n`);
        expect(await fingerprint(ns)).toEqual(before);
    });

    it('lets generate read the record once v4 is gone', async () => {
        const r = await run(['generate', 'hippo', '-n', ns, '--target', 'pgo', '--image', IMAGES.image, '--pgbackrest-image', IMAGES.pgbackrestImage, '-o', 'json']);
        // Nothing on stderr but the carry report of a cluster with nothing of its own: its application user.
        expect(r.stderr).toBe(`${JSON.stringify({ carry: [{ outcome: 'carried', from: 'Secret hippo-hippo-secret', to: 'spec.users hippo (apply copies its v4 password)' }] })}\n`);
        expect(r.code).toBe(0);
        const m = JSON.parse(r.stdout) as { spec: { dataSource: { volumes: Record<string, { pvcName: string; directory?: string }> } } };
        expect(m.spec.dataSource.volumes).toEqual({
            pgDataVolume: { pvcName: 'hippo-jgut', directory: 'hippo-jgut' },
            pgWALVolume: { pvcName: 'hippo-jgut-wal' },
            pgBackRestVolume: { pvcName: 'hippo-pgbr-repo', directory: 'hippo-backrest-shared-repo' },
        });
    });

    it('inspect of the prepared cluster says v4 is gone, shows the record and what comes next', async () => {
        const r = await run(['inspect', 'hippo', '-n', ns, '--target', 'pgo']);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toBe(
            `pgcluster hippo was prepared for the volumes method: v4 is gone, and ConfigMap hippo-ivyo-upgrade records it as it was (shown below). Next:\n  kubectl ivyo-upgrade generate hippo -n ${ns} --target pgo\n`,
        );
        expect(r.stdout).toMatch(/^Primary: +deployment hippo-jgut/m);
        // The v4 ConfigMap hippo-config is gone with v4: no name collides any more.
        const json = JSON.parse((await run(['inspect', 'hippo', '-n', ns, '--target', 'pgo', '-o', 'json'])).stdout) as { target: { collisions: unknown[] } };
        expect(json.target.collisions).toEqual([]);
    });
});

describe("prepare captures v4's configuration before v4's delete removes it", () => {
    it('records every ConfigMap v4 would take (Patroni, pgBouncer, schedules), the spec, the Secrets by name; a re-run keeps it', async () => {
        const ns = await createNamespace('prepare-capture');
        const objects = failedOver(ns, { customized: true });
        await createObjects(objects);
        const generate = () => run(['generate', 'hippo', '-n', ns, '--target', 'pgo', '--image', IMAGES.image, '--pgbackrest-image', IMAGES.pgbackrestImage, '-o', 'json']);
        // With -o json, the carry report is one JSON document on stderr.
        const carried = (stderr: string) => (JSON.parse(stderr.split('\n').find((l) => l.startsWith('{"carry":')) ?? 'null') as { carry: CarryItem[] } | null)?.carry;
        const fromLive = await generate();
        expect(fromLive.code, fromLive.stderr).toBe(0);
        expect(carried(fromLive.stderr)).toContainEqual({ outcome: 'translated', from: 'spec.serviceType LoadBalancer', to: 'spec.service.type LoadBalancer' });
        const lines = await run(['generate', 'hippo', '-n', ns, '--target', 'pgo', '--image', IMAGES.image, '--pgbackrest-image', IMAGES.pgbackrestImage]);
        expect(lines.stderr).toContain('carry: translated: spec.serviceType LoadBalancer → spec.service.type LoadBalancer\n');
        expect(carried(lines.stderr)).toBeUndefined();
        // The carried manifest passes the API server's schema (a server-side dry run).
        const validated = await run(['generate', 'hippo', '-n', ns, '--target', 'pgo', '--image', IMAGES.image, '--pgbackrest-image', IMAGES.pgbackrestImage, '--validate']);
        expect(validated.code, validated.stderr).toBe(0);

        simulator = await new V4OperatorSimulator(adminKubeconfig(), ns).start();
        const r = await run(['prepare', 'hippo', '-n', ns, '--method', 'volumes', '--target', 'pgo', '--yes', '--timeout', '60s']);
        expect(r.code, r.stderr).toBe(0);
        // Once v4 is gone, generate from the record gives what it gave from the live cluster, carry report included.
        const fromRecord = await generate();
        expect(fromRecord.code, fromRecord.stderr).toBe(0);
        expect(JSON.parse(fromRecord.stdout)).toEqual(JSON.parse(fromLive.stdout));
        expect(carried(fromRecord.stderr)).toEqual(carried(fromLive.stderr));
        expect(r.stderr).toContain("done: record the v4 cluster and its configuration (Patroni, pgBouncer, pgBackRest, schedules: v4's delete removes them)");

        // v4's delete took its own ConfigMaps, kept or not; the user's own custom configuration and pgBackRest extras stay.
        expect(await names(`/api/v1/namespaces/${ns}/configmaps`)).toEqual(['hippo-config-backrest', 'hippo-custom-config', 'hippo-ivyo-upgrade']);
        const record = await client().get<{ data: Record<string, string> }>(`/api/v1/namespaces/${ns}/configmaps/hippo-ivyo-upgrade`);
        const capture = JSON.parse(record.data['capture.json'] ?? '') as V4Capture;
        const fixture = (name: string) => objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name) as KubeObject & { data: Record<string, string> };
        const expected: [string, string][] = [
            ['patroni-dcs', 'hippo-config'],
            ['pgha-config', 'hippo-pgha-config'],
            ['custom-config', 'hippo-custom-config'],
            ['pgbouncer', 'hippo-pgbouncer-cm'],
            ['backrest-config', 'hippo-config-backrest'],
            ['schedule', 'hippo-daily-full'],
        ];
        expect(capture.configMaps.map((c) => [c.role, c.name])).toEqual(expected);
        for (const [, name] of expected) expect(capture.configMaps.find((c) => c.name === name)?.data, name).toEqual(fixture(name).data);
        expect(capture.configMaps[0]?.annotations).toEqual({ config: fixture('hippo-config').metadata.annotations?.config });
        const pgcluster = objects.find((o) => o.kind === 'Pgcluster') as KubeObject & { spec: Record<string, unknown> };
        expect(capture.pgcluster.spec).toEqual(pgcluster.spec);
        expect(capture.pgreplicas.map((p) => p.name)).toEqual([]);
        expect(capture.secrets).toEqual(expect.arrayContaining(['hippo-ca', 'hippo-tls-keypair', 'hippo-hippo-secret', 'hippo-postgres-secret']));
        // Names only: the record holds no Secret's value.
        expect(record.data['capture.json']).not.toContain('password-example');

        const again = await run(['prepare', 'hippo', '-n', ns, '--method', 'volumes', '--target', 'pgo', '--yes', '--timeout', '5s']);
        expect(again.code).toBe(0);
        const after = await client().get<{ data: Record<string, string> }>(`/api/v1/namespaces/${ns}/configmaps/hippo-ivyo-upgrade`);
        expect(after.data['capture.json']).toBe(record.data['capture.json']);
    });
});

describe('prepare --method volumes when things go wrong', () => {
    it('stops after --timeout when no v4 operator reacts, saying what was done; a re-run finishes the job', async () => {
        const ns = await createNamespace('prepare-absent');
        await createObjects(failedOver(ns));
        const r = await run(['prepare', 'hippo', '-n', ns, '--method', 'volumes', '--target', 'pgo', '--yes', '--timeout', '2s']);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('error: timed out after 2s: replica hippo is still there although pgtask hippo-rmdata exists');
        expect(r.stderr).toContain('is the PGO v4 operator running and watching this namespace?');
        expect(r.stderr).toContain('Done before stopping:\n  - set reclaim policy Retain on PV');
        expect(r.stderr).toContain('  - scale down replica hippo the v4 way (pgtask hippo-rmdata), keeping its PVCs');
        expect(await names(`/apis/crunchydata.com/v1/namespaces/${ns}/pgclusters`)).toEqual(['hippo']);

        simulator = await new V4OperatorSimulator(adminKubeconfig(), ns).start();
        const again = await run(['prepare', 'hippo', '-n', ns, '--method', 'volumes', '--target', 'pgo', '--yes', '--timeout', '60s']);
        expect(again.stderr).not.toContain('error');
        expect(again.code).toBe(0);
        expect(again.stderr).not.toContain('done: set reclaim policy');
        expect(again.stderr).not.toContain('done: scale down replica');
        expect(await names(`/apis/crunchydata.com/v1/namespaces/${ns}/pgclusters`)).toEqual([]);
        for (const name of REUSED) expect(await pvc(ns, name), name).not.toBeNull();
    });

    it('stops when the primary fails over during prepare, before deleting anything', async () => {
        const ns = await createNamespace('prepare-failover');
        await createObjects(v4Cluster({ namespace: ns, replicas: ['hippo-abcd', 'hippo-wxyz'] }));
        simulator = await new V4OperatorSimulator(adminKubeconfig(), ns, {
            beforeReplicaRemoval: async (replica) => {
                if (replica !== 'hippo-abcd') return;
                // Patroni promotes hippo-wxyz; the v4 operator moves current-primary and the role labels.
                await client().request('PATCH', `/apis/crunchydata.com/v1/namespaces/${ns}/pgclusters/hippo`, {
                    body: { metadata: { annotations: { 'current-primary': 'hippo-wxyz' } } },
                    contentType: 'application/merge-patch+json',
                });
                for (const pod of await client().list<KubeObject>(`/api/v1/namespaces/${ns}/pods`, { labelSelector: 'pg-cluster=hippo' })) {
                    const role = pod.metadata.labels?.['deployment-name'] === 'hippo-wxyz' ? 'master' : 'replica';
                    await client().request('PATCH', `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}`, {
                        body: { metadata: { labels: { role } } },
                        contentType: 'application/merge-patch+json',
                    });
                }
            },
        }).start();
        const r = await run(['prepare', 'hippo', '-n', ns, '--method', 'volumes', '--target', 'pgo', '--yes', '--timeout', '60s']);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('error: the primary of hippo changed from hippo to hippo-wxyz during prepare (a failover)');
        expect(await names(`/apis/crunchydata.com/v1/namespaces/${ns}/pgclusters`)).toEqual(['hippo']);
        const cluster = await client().get<KubeObject>(`/apis/crunchydata.com/v1/namespaces/${ns}/pgclusters/hippo`);
        expect(cluster.metadata.annotations?.['keep-data']).toBeUndefined();
    });
});
