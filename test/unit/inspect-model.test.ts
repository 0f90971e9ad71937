import { describe, expect, it } from 'vitest';
import type { KubeObject, Pgcluster } from '../../src/kube/types.js';
import type { Inspection } from '../../src/v4/inspection.js';
import { inspectCluster, type TargetChoice } from '../../src/v4/model.js';
import { FLAVORS } from '../../src/v5/flavors.js';
import { SCENARIOS, v4Cluster } from '../fixtures/v4/cluster.js';
import { snapshotOf } from '../support/snapshot.js';

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
        });
    });

    it('finds the primary, its PVC and PGDATA directory, and the replica', () => {
        expect(i.primary).toEqual({ deployment: 'hippo', pod: expect.stringMatching(/^hippo-/), podCheck: 'agrees', pvc: 'hippo', dataDirectory: 'hippo' });
        expect(i.wal).toBeNull();
        expect(i.replicas).toEqual([{ deployment: 'hippo-abcd', pgreplica: 'hippo-abcd', pvc: 'hippo-abcd', walPvc: null }]);
    });

    it('reads the repository with the default path, as posix', () => {
        expect(i.repository).toEqual({
            pvc: 'hippo-pgbr-repo',
            path: '/backrestrepo/hippo-backrest-shared-repo',
            directory: 'hippo-backrest-shared-repo',
            types: ['posix'],
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

    it('blocks every method on IVYO for PostgreSQL 13 (IVYO images run 17 and 18), and warns about the rest', () => {
        for (const m of ['volumes', 'backups'] as const) {
            expect(codes(i, m, 'blockers')).toEqual(['postgres-major-no-default-image']);
            expect(i.methods[m].ready).toBe(false);
        }
        expect(codes(i, 'standby', 'blockers')).toEqual(['postgres-major-no-default-image', 'standby-needs-cloud-repo', 'name-collision']);
        expect(codes(i, 'volumes', 'warnings')).toEqual([
            'reclaim-delete', 'v4-labels', 'group-26', // data PVC on hostPath
            'reclaim-delete', 'v4-labels', 'group-26', // repo PVC
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
        expect(i.replicas).toEqual([{ deployment: 'hippo', pgreplica: null, pvc: 'hippo', walPvc: 'hippo-wal' }]);
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

    it('takes the role=master pod\'s deployment when the annotation is missing', () => {
        const objects = SCENARIOS.failover().map((o) =>
            o.kind === 'Pgcluster' ? ({ ...o, metadata: { ...o.metadata, annotations: {} } } as KubeObject) : o,
        );
        const i = inspect(objects);
        expect(i.primary).toMatchObject({ deployment: 'hippo-jgut', podCheck: 'agrees', pvc: 'hippo-jgut' });
        expect(i.methods.volumes.blockers.map((b) => b.code)).not.toContain('primary-disagrees');
    });

    it('blocks when neither the annotation nor a role=master pod names the primary', () => {
        const objects = v4Cluster({ masterPodOf: null }).map((o) =>
            o.kind === 'Pgcluster' ? ({ ...o, metadata: { ...o.metadata, annotations: {} } } as KubeObject) : o,
        );
        const i = inspect(objects);
        expect(i.primary).toMatchObject({ deployment: null, pvc: null, dataDirectory: null });
        expect(codes(i, 'volumes', 'blockers')).toContain('primary-unknown');
    });

    it('lists a Pgreplica whose deployment is gone by its name', () => {
        const objects = SCENARIOS.fresh().filter((o) => !(o.kind === 'Deployment' && o.metadata.name === 'hippo-abcd'));
        expect(inspect(objects).replicas).toEqual([{ deployment: null, pgreplica: 'hippo-abcd', pvc: null, walPvc: null }]);
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
        const i = inspect(v4Cluster({ imageTag: 'ubi8-17.2-4.7.10' }), { ...IVYO, installed: false });
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
        const i = inspect(SCENARIOS.gcs());
        expect(i.repository).toMatchObject({ pvc: null, types: ['gcs'], gcs: { bucket: 'hippo-gcs', endpoint: null, keyType: 'service' }, s3: null });
        expect(codes(i, 'backups', 'blockers')).not.toContain('repo-missing');
        expect(codes(i, 'volumes', 'warnings')).toContain('repo-pvc-missing');
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
    it('reports tablespaces and warns that no method moves them', () => {
        const i = inspect(SCENARIOS.tablespace());
        expect(i.tablespaces).toEqual([{ name: 'ts1', pvc: 'hippo-tablespace-ts1' }]);
        expect(codes(i, 'backups', 'warnings')).toContain('tablespace');
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
