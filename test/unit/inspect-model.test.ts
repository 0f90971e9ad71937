import { describe, expect, it } from 'vitest';
import type { KubeObject, Pgcluster } from '../../src/kube/types.js';
import type { Inspection } from '../../src/v4/inspection.js';
import type { TargetChoice } from '../../src/targets/choice.js';
import { inspectCluster } from '../../src/v4/model.js';
import { FLAVORS } from '../../src/targets/flavors.js';
import { SCENARIOS, v4Cluster } from '../fixtures/v4/cluster.js';
import { snapshotOf } from '../support/snapshot.js';
import { preflightConfigMap } from '../../src/v4/preflight-record.js';
import type { PreflightFacts } from '../../src/v4/preflight.js';

const IVYO: TargetChoice = { flavor: FLAVORS.ivyo, installed: true, selectedBy: 'default' };
const PGO: TargetChoice = { flavor: FLAVORS.pgo, installed: true, selectedBy: 'flag' };

function inspect(objects: KubeObject[], target = IVYO, pvsUnreadable: string | null = null): Inspection {
    const snapshot = snapshotOf(objects, pvsUnreadable);
    const pgcluster = snapshot.pgclusters[0] as Pgcluster;
    return inspectCluster(snapshot, pgcluster, target);
}

const codes = (i: Inspection, method: keyof Inspection['methods'], kind: 'blockers' | 'warnings') => i.methods[method][kind].map((f) => f.code);

describe('inspect model: a fresh cluster', () => {
    const i = inspect(SCENARIOS.fresh());

    it('reads the cluster, its image and the PostgreSQL major from the live objects', () => {
        expect(i.cluster).toEqual({
            name: 'hippo',
            namespace: 'pgo',
            state: 'pgcluster Initialized',
            postgresMajor: 13,
            image: 'registry.developers.crunchydata.com/crunchydata/crunchy-postgres-ha:ubi8-13.10-4.7.10',
            port: 5432,
            user: 'hippo',
            database: 'hippo',
            standby: false,
            promotedTo: null,
        });
    });

    it('finds the primary, its PVC and PGDATA directory, and the replica', () => {
        expect(i.primary).toEqual({ deployment: 'hippo', pod: expect.stringMatching(/^hippo-/), podCheck: 'agrees', pvc: 'hippo', dataDirectory: 'hippo' });
        expect(i.wal).toBeNull();
        expect(i.replicas).toEqual([{ deployment: 'hippo-abcd', pgreplica: 'hippo-abcd', pvc: 'hippo-abcd', walPvc: null, podsWanted: 1 }]);
    });

    it('reads the repository with the default path, as posix', () => {
        expect(i.repository).toEqual({
            pvc: 'hippo-pgbr-repo',
            path: '/backrestrepo/hippo-backrest-shared-repo',
            directory: 'hippo-backrest-shared-repo',
            types: ['posix'],
            typesFrom: 'default',
            repo1TypeEnv: null,
            configSecret: 'hippo-backrest-repo-config',
            s3: null,
            gcs: null,
        });
    });

    it('reports every volume with its PV facts, the size string as written', () => {
        expect(i.volumes.map((v) => [v.pvc, v.role, v.usedBy])).toEqual([
            ['hippo', 'data', 'hippo'],
            ['hippo-pgbr-repo', 'repo', 'hippo-backrest-shared-repo'],
            ['hippo-abcd', 'replica-data', 'hippo-abcd'],
        ]);
        expect(i.volumes[0]).toMatchObject({
            exists: true,
            pv: 'pv-pgo-hippo',
            reclaimPolicy: 'Delete',
            storageClass: null,
            accessModes: ['ReadWriteOnce'],
            size: '1G',
            source: 'hostPath',
            v4Labels: ['pg-cluster', 'vendor'],
        });
    });

    it('lists user secret names only', () => {
        expect(i.userSecrets).toEqual(['hippo-hippo-secret', 'hippo-postgres-secret', 'hippo-primaryuser-secret']);
        expect(JSON.stringify(i)).not.toContain('password-example');
    });

    it('finds the v4 Patroni ConfigMap hippo-config as a name v5 will use', () => {
        expect(i.target.collisions).toEqual([{ kind: 'ConfigMap', name: 'hippo-config' }]);
        expect(i.target).toMatchObject({ flavor: 'ivyo', kind: 'IvoryCluster', apiVersion: 'ivory-operator.ivorysql.org/v1beta1', installed: true });
    });

    it('blocks every physical method on IVYO, which cannot run vanilla PostgreSQL data, and warns about the rest', () => {
        for (const m of ['volumes', 'backups'] as const) {
            expect(codes(i, m, 'blockers')).toEqual(['target-cannot-run-v4-data']);
            expect(i.methods[m].ready).toBe(false);
        }
        expect(codes(i, 'standby', 'blockers')).toEqual(['target-cannot-run-v4-data', 'standby-needs-cloud-repo']);
        // No image settles it: the image blockers are not even asked.
        expect(inspect(v4Cluster({ imageTag: 'ubi8-18.1-4.7.10' })).methods.volumes.blockers.map((b) => b.code)).toEqual(['target-cannot-run-v4-data']);
        expect(codes(i, 'volumes', 'warnings')).toEqual([
            'reclaim-delete',
            'v4-labels',
            'group-26', // data PVC on hostPath
            'reclaim-delete',
            'v4-labels',
            'group-26', // repo PVC
            'name-collision',
            'collation',
        ]);
    });
});

describe('inspect model: after a failover', () => {
    const i = inspect(SCENARIOS.failover());

    it('takes the primary from current-primary, cross-checked with the role=master pod', () => {
        expect(i.primary).toMatchObject({ deployment: 'hippo-jgut', podCheck: 'agrees', pvc: 'hippo-jgut', dataDirectory: 'hippo-jgut' });
    });

    it('lists the original primary deployment as a replica without a Pgreplica', () => {
        expect(i.replicas).toEqual([{ deployment: 'hippo', pgreplica: null, pvc: 'hippo', walPvc: 'hippo-wal', podsWanted: 1 }]);
    });

    it('reads the WAL PVC and its directory from the primary deployment', () => {
        expect(i.wal).toEqual({ pvc: 'hippo-jgut-wal', directory: 'hippo-jgut-wal' });
    });
});

describe('inspect model: primary checks', () => {
    it('blocks the volumes method when current-primary and the role=master pod disagree', () => {
        const i = inspect(v4Cluster({ primary: 'hippo-jgut', replicas: ['hippo'], masterPodOf: 'hippo' }));
        expect(i.primary.podCheck).toBe('disagrees');
        expect(codes(i, 'volumes', 'blockers')).toContain('primary-disagrees');
        expect(codes(i, 'backups', 'blockers')).not.toContain('primary-disagrees');
    });

    it('trusts the annotation when no pod is labelled role=master', () => {
        const i = inspect(v4Cluster({ masterPodOf: null }));
        expect(i.primary).toMatchObject({ deployment: 'hippo', pod: null, podCheck: 'no-pod' });
        expect(codes(i, 'volumes', 'blockers')).not.toContain('primary-disagrees');
    });

    it("takes the role=master pod's deployment when the annotation is missing", () => {
        const objects = SCENARIOS.failover().map((o) => (o.kind === 'Pgcluster' ? ({ ...o, metadata: { ...o.metadata, annotations: {} } } as KubeObject) : o));
        const i = inspect(objects);
        expect(i.primary).toMatchObject({ deployment: 'hippo-jgut', podCheck: 'agrees', pvc: 'hippo-jgut' });
        expect(i.methods.volumes.blockers.map((b) => b.code)).not.toContain('primary-disagrees');
    });

    it('blocks when neither the annotation nor a role=master pod names the primary', () => {
        const objects = v4Cluster({ masterPodOf: null }).map((o) => (o.kind === 'Pgcluster' ? ({ ...o, metadata: { ...o.metadata, annotations: {} } } as KubeObject) : o));
        const i = inspect(objects);
        expect(i.primary).toMatchObject({ deployment: null, pvc: null, dataDirectory: null });
        expect(codes(i, 'volumes', 'blockers')).toContain('primary-unknown');
    });

    it('lists a Pgreplica whose deployment is gone by its name', () => {
        const objects = SCENARIOS.fresh().filter((o) => !(o.kind === 'Deployment' && o.metadata.name === 'hippo-abcd'));
        expect(inspect(objects).replicas).toEqual([{ deployment: null, pgreplica: 'hippo-abcd', pvc: null, walPvc: null, podsWanted: null }]);
    });

    it('blocks when the primary PVC is gone', () => {
        const objects = SCENARIOS.fresh().filter((o) => !(o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'hippo'));
        const i = inspect(objects);
        expect(codes(i, 'volumes', 'blockers')).toContain('primary-pvc-missing');
        expect(i.volumes.find((v) => v.pvc === 'hippo')).toMatchObject({ exists: false, pv: null });
    });
});

describe('inspect model: state and target', () => {
    it('blocks every method when the pgcluster is not Initialized', () => {
        const i = inspect(v4Cluster({ state: 'pgcluster Bootstrapping' }));
        for (const m of ['volumes', 'backups', 'standby'] as const) expect(codes(i, m, 'blockers')[0]).toBe('v4-not-initialized');
    });

    it('has no image blocker on PGO v5 for a PostgreSQL 16 cluster', () => {
        const i = inspect(v4Cluster({ imageTag: 'ubi8-16.2-4.7.10', reclaimPolicy: 'Retain', pvSource: 'csi' }), PGO);
        expect(i.methods.volumes).toMatchObject({ ready: true, blockers: [] });
        expect(codes(i, 'volumes', 'warnings')).toEqual(['v4-labels', 'v4-labels', 'name-collision', 'collation']);
        expect(i.volumes[0]?.source).toBe('csi:ebs.csi.aws.com');
    });

    it('blocks when the target CRD is not installed', () => {
        const i = inspect(v4Cluster({ imageTag: 'ubi8-17.2-4.7.10' }), { ...PGO, installed: false });
        expect(codes(i, 'backups', 'blockers')).toEqual(['target-crd-missing']);
    });

    it('refuses a major outside the CRD range', () => {
        const i = inspect(v4Cluster({ imageTag: 'centos7-9.6.20-4.5.1' }), PGO);
        expect(i.cluster.postgresMajor).toBe(9);
        expect(codes(i, 'volumes', 'blockers')).toEqual(['postgres-major-unsupported']);
    });
});

describe('inspect model: WAL volume', () => {
    it('accepts a WAL PVC with the data PVC spec', () => {
        const i = inspect(SCENARIOS.wal(), PGO);
        expect(codes(i, 'volumes', 'blockers')).not.toContain('wal-spec-differs');
        expect(i.volumes.map((v) => v.role)).toEqual(['data', 'wal', 'repo']);
    });

    it('blocks when the WAL PVC differs from the data PVC (v5 adopts it with the data spec)', () => {
        const i = inspect(v4Cluster({ wal: { size: '2G' } }), PGO);
        expect(codes(i, 'volumes', 'blockers')).toEqual(['postgres-major-no-default-image', 'wal-spec-differs']);
        expect(i.methods.volumes.blockers[1]?.message).toContain('hippo-wal (2G');
        expect(codes(i, 'backups', 'blockers')).not.toContain('wal-spec-differs');
    });
});

describe('inspect model: repositories', () => {
    it('reads an S3 repository from the spec, local meaning posix, TLS verification off', () => {
        const i = inspect(SCENARIOS.s3());
        expect(i.repository.types).toEqual(['posix', 's3']);
        expect(i.repository.s3).toEqual({ bucket: 'hippo-backups', endpoint: 's3.us-east-1.amazonaws.com', region: 'us-east-1', uriStyle: 'path', verifyTLS: false });
        expect(codes(i, 'standby', 'blockers')).not.toContain('standby-needs-cloud-repo');
    });

    it('reads a GCS-only repository with no repo PVC', () => {
        const i = inspect(SCENARIOS.gcs(), PGO);
        expect(i.repository).toMatchObject({ pvc: null, types: ['gcs'], gcs: { bucket: 'hippo-gcs', endpoint: null, keyType: 'service' }, s3: null });
        expect(codes(i, 'backups', 'blockers')).not.toContain('repo-missing');
        expect(codes(i, 'volumes', 'warnings')).toContain('repo-cloud-only');
    });

    it('reads the storage types where each v4 version keeps them: spec (4.6+), userlabels (4.5), label (4.3/4.4), env', () => {
        const S3 = { bucket: 'b', endpoint: 'e', region: 'r' };
        const withPgcluster = (edit: (c: Pgcluster) => Pgcluster, env?: string) =>
            v4Cluster({ repo: { s3: S3 } }).map((o) => {
                if (o.kind === 'Pgcluster') return edit(o as Pgcluster) as KubeObject;
                if (env && o.kind === 'Deployment' && o.metadata.name === 'hippo') {
                    const d = structuredClone(o) as unknown as { spec: { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } } };
                    d.spec.template.spec.containers[0]!.env.push({ name: 'PGBACKREST_REPO1_TYPE', value: env });
                    return d as unknown as KubeObject;
                }
                return o;
            });
        const v45 = inspect(
            withPgcluster((c) => ({ ...c, spec: { ...c.spec, userlabels: { 'backrest-storage-type': 'local,s3' } } })),
            PGO,
        );
        expect(v45.repository).toMatchObject({ types: ['posix', 's3'], typesFrom: 'userlabels', s3: { bucket: 'b' } });
        const v44 = inspect(
            withPgcluster((c) => ({ ...c, metadata: { ...c.metadata, labels: { ...c.metadata.labels, 'backrest-storage-type': 's3' } } })),
            PGO,
        );
        expect(v44.repository).toMatchObject({ types: ['s3'], typesFrom: 'label' });
        const fromEnv = inspect(
            withPgcluster((c) => c, 's3'),
            PGO,
        );
        expect(fromEnv.repository).toMatchObject({ types: ['s3'], typesFrom: 'env', repo1TypeEnv: 's3' });
        // The spec wins; the primary's environment cross-checks it.
        const disagree = inspect(
            withPgcluster((c) => ({ ...c, spec: { ...c.spec, backrestStorageTypes: ['s3'] } }), 'posix'),
            PGO,
        );
        expect(disagree.repository).toMatchObject({ types: ['s3'], typesFrom: 'spec' });
        expect(codes(disagree, 'volumes', 'warnings')).toContain('repo-type-disagrees');
    });

    it('falls back to the repo-path annotation of the repo config Secret when the spec has no path', () => {
        const objects = SCENARIOS.customRepoPath().map((o) =>
            o.kind === 'Pgcluster' ? ({ ...o, spec: { ...(o as Pgcluster).spec, backrestRepoPath: undefined } } as KubeObject) : o,
        );
        expect(inspect(objects).repository).toMatchObject({ path: '/backrestrepo/custom/hippo-repo', directory: 'custom/hippo-repo' });
    });

    it('blocks the volumes method when a custom repo path is outside the repo mount', () => {
        const i = inspect(v4Cluster({ repo: { path: '/srv/repo' } }));
        expect(i.repository.directory).toBeNull();
        expect(codes(i, 'volumes', 'blockers')).toContain('repo-path-outside-volume');
    });

    it('blocks the backups method when the only (posix) repository has no PVC', () => {
        const i = inspect(SCENARIOS.missingRepoPvc());
        expect(i.repository.pvc).toBeNull();
        expect(codes(i, 'backups', 'blockers')).toContain('repo-missing');
        expect(codes(i, 'volumes', 'warnings')).toContain('repo-pvc-missing');
    });
});

describe('inspect model: other volumes', () => {
    it('blocks the volumes method for tablespaces (spec.dataSource.volumes has no field for them), warns for backups', () => {
        const i = inspect(SCENARIOS.tablespace(), PGO);
        expect(i.tablespaces).toEqual([{ name: 'ts1', pvc: 'hippo-tablespace-ts1' }]);
        expect(codes(i, 'volumes', 'blockers')).toContain('tablespace');
        expect(codes(i, 'backups', 'warnings')).toContain('tablespace');
        expect(codes(i, 'backups', 'blockers')).not.toContain('tablespace');
    });

    it('blocks a reused PVC that another object controls', () => {
        const objects = SCENARIOS.fresh().map((o) =>
            o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'hippo-pgbr-repo'
                ? ({
                      ...o,
                      metadata: { ...o.metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'other', uid: 'u', controller: true }] },
                  } as KubeObject)
                : o,
        );
        const i = inspect(objects, PGO);
        for (const m of ['volumes', 'backups'] as const) expect(codes(i, m, 'blockers')).toContain('pvc-controlled');
        expect(i.methods.volumes.blockers.find((b) => b.code === 'pvc-controlled')?.message).toContain('PVC hippo-pgbr-repo is controlled by StatefulSet/other');
    });

    it('blocks a v4 standby for every method, and reports it', () => {
        const objects = SCENARIOS.s3().map((o) => (o.kind === 'Pgcluster' ? ({ ...o, spec: { ...(o as Pgcluster).spec, standby: true } } as KubeObject) : o));
        const i = inspect(objects, PGO);
        expect(i.cluster.standby).toBe(true);
        for (const m of ['volumes', 'backups', 'standby'] as const) expect(codes(i, m, 'blockers')).toContain('v4-standby');
    });

    it('blocks a replica v4 cannot scale down (no Pgreplica, not named after the cluster) until it is scaled to zero', () => {
        const objects = v4Cluster({ replicas: ['hippo-abcd'] }).filter((o) => o.kind !== 'Pgreplica');
        const blocked = inspect(objects, PGO);
        const finding = blocked.methods.volumes.blockers.find((b) => b.code === 'replica-cannot-scale-down');
        expect(finding?.message).toContain('kubectl scale deployment hippo-abcd --replicas=0 -n pgo');
        const scaled = objects.map((o) =>
            o.kind === 'Deployment' && o.metadata.name === 'hippo-abcd' ? ({ ...o, spec: { ...(o as unknown as { spec: object }).spec, replicas: 0 } } as KubeObject) : o,
        );
        expect(codes(inspect(scaled, PGO), 'volumes', 'blockers')).not.toContain('replica-cannot-scale-down');
        // The original primary after a failover is named after the cluster: v4 removes it (Patroni scope).
        expect(codes(inspect(SCENARIOS.failover(), PGO), 'volumes', 'blockers')).not.toContain('replica-cannot-scale-down');
    });

    it('asks for group 26 on NFS volumes', () => {
        const i = inspect(v4Cluster({ pvSource: 'nfs', reclaimPolicy: 'Retain' }));
        expect(i.methods.volumes.warnings.filter((w) => w.code === 'group-26').map((w) => w.message)).toEqual([
            expect.stringContaining('PVC hippo is on nfs'),
            expect.stringContaining('PVC hippo-pgbr-repo is on nfs'),
        ]);
    });

    it('says so when PersistentVolumes cannot be read', () => {
        const i = inspect(SCENARIOS.fresh(), IVYO, 'forbidden: cannot list persistentvolumes');
        expect(i.volumes[0]).toMatchObject({ pv: 'pv-pgo-hippo', reclaimPolicy: null, source: null });
        expect(codes(i, 'volumes', 'warnings')).toContain('pv-unreadable');
    });
});

describe('inspect model: the logical move, beside the running v4 cluster', () => {
    /** What the preflight Job would have read, as prepare records it. */
    const recorded = (facts: PreflightFacts): KubeObject => preflightConfigMap('pgo', 'hippo', { readAt: '2026-11-22T10:00:00Z', facts });
    const facts = (over: { walLevel?: string; postgresTables?: number; withoutKey?: string[] } = {}): PreflightFacts => {
        const db = (tables: number, withoutKey: string[] = []) => ({ withoutKey, tables, unlogged: [], largeObjects: 0, extensions: [], sequences: 1 });
        return {
            server: {
                serverVersion: 130010,
                walLevel: over.walLevel ?? 'logical',
                databases: [
                    { name: 'hippo', encoding: 'UTF8', collate: 'en_US.utf-8', ctype: 'en_US.utf-8', bytes: 3 * 2 ** 30 },
                    { name: 'postgres', encoding: 'UTF8', collate: 'en_US.utf-8', ctype: 'en_US.utf-8', bytes: 8_000_000 },
                ],
                roles: [],
            },
            databases: { postgres: db(over.postgresTables ?? 0), hippo: db(4, over.withoutKey) },
        };
    };

    it('is the one road to IVYO: ready for a fresh v4 cluster, its v5 cluster named <cluster>-v5, and says the SQL facts are not read yet', () => {
        const i = inspect(SCENARIOS.fresh());
        expect(i.methods.volumes.ready).toBe(false);
        expect(i.methods.logical).toMatchObject({ ready: true, blockers: [] });
        expect(i.logical).toEqual({ name: 'hippo-v5', collisions: [], preflight: null });
        expect(codes(i, 'logical', 'warnings')).toEqual(['preflight-not-read']);
        expect(i.methods.logical.warnings[0]?.message).toContain('kubectl ivyo-upgrade prepare hippo -n pgo --method logical');
    });

    it("judges by what prepare's preflight read: sizes for a dump, what replication cannot carry", () => {
        const i = inspect([...SCENARIOS.fresh(), recorded(facts({ walLevel: 'replica', withoutKey: ['public.events'] }))], PGO);
        expect(i.logical.preflight?.readAt).toBe('2026-11-22T10:00:00Z');
        expect(i.methods.logical.ready).toBe(true);
        expect(codes(i, 'logical', 'warnings')).toEqual(['replicate-wal-level', 'replicate-no-replica-identity', 'dump-downtime']);
        expect(i.methods.logical.warnings.at(-1)?.message).toContain('--copy dump moves 1 databases (hippo; 3.0 GiB)');
    });

    it('refuses while the postgres database holds tables, or a name of the new cluster is taken', () => {
        const taken = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'hippo-v5-primary', namespace: 'pgo' } };
        const i = inspect([...SCENARIOS.fresh(), recorded(facts({ postgresTables: 2 })), taken]);
        expect(codes(i, 'logical', 'blockers')).toEqual(['name-collision', 'postgres-database-tables']);
        expect(i.methods.logical.blockers[0]?.message).toBe(
            'Service hippo-v5-primary exists in namespace pgo, and a v5 cluster named hippo-v5 would take that name while v4 still runs: give the v5 cluster another name ("kubectl ivyo-upgrade generate hippo -n pgo --method logical --name <another name>")',
        );
    });

    it('needs v4 initialized and the target installed, as every method does', () => {
        const i = inspect(SCENARIOS.fresh(), { ...IVYO, installed: false });
        expect(codes(i, 'logical', 'blockers')).toEqual(['target-crd-missing']);
    });
});
