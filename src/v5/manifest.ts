import type { Inspection, VolumeReport } from '../v4/inspection.js';
import { apiVersionOf, type Flavor } from '../targets/flavors.js';
import type { ClaimSpec, DataSourceVolumes, V5Cluster, V5DataSource, V5PgBackRest } from './cluster.js';
import { cloudRepo, cloudRepoKind } from './repository.js';
import { applicationUsers } from '../v4/preflight.js';
import { isV5UserName } from '../targets/names.js';

/** On every generated cluster: the v4 cluster it was made from. apply adopts no v5 cluster without it. */
export const SOURCE_ANNOTATION = 'ivyo-upgrade.ivorysql.org/v4-cluster';

export interface ManifestOptions {
    flavor: Flavor;
    /** The v5 cluster's name (default: the v4 name). */
    name: string;
    namespace: string;
    postgresVersion: number;
    image?: string;
    pgbackrestImage?: string;
}

/** A PVC spec the v5 operator can apply to the bound claim: access modes, size as written, class or none. */
export function claimSpecOf(v: VolumeReport): ClaimSpec {
    return {
        accessModes: [...v.accessModes],
        resources: { requests: { storage: v.size ?? '' } },
        ...(v.storageClass !== null ? { storageClassName: v.storageClass } : {}),
    };
}

/**
 * The v5 cluster that adopts the v4 volumes in place (method 1: CrunchyData/postgres-operator 4e02a86b
 * docs/content/upgrade/v4tov5/upgrade-method-1-data-volumes.md and guides/data-migration.md). Pure: the
 * inspection in, the manifest out. The caller has checked the refusals first.
 */
export function volumesManifest(i: Inspection, o: ManifestOptions): V5Cluster {
    const data = volumeOf(i, 'data');
    const wal = i.wal ? volumeOf(i, 'wal') : undefined;
    // An S3- or GCS-only cluster's repo PVC holds no backup (v4 never writes to it): keep the cloud repo instead.
    const cloud = i.repository.types.includes('posix') ? null : cloudRepoKind(i);
    const repo = !cloud && i.repository.pvc ? volumeOf(i, 'repo') : undefined;
    const volumes: DataSourceVolumes = {
        pgDataVolume: { pvcName: data.pvc, directory: i.primary.dataDirectory },
        // No directory for WAL: v5 relinks pg_wal itself; a move Job here would break the link.
        ...(wal ? { pgWALVolume: { pvcName: wal.pvc } } : {}),
        ...(repo ? { pgBackRestVolume: { pvcName: repo.pvc, directory: i.repository.directory } } : {}),
    };
    const instance = { dataVolumeClaimSpec: claimSpecOf(data), ...(wal ? { walVolumeClaimSpec: claimSpecOf(wal) } : {}) };
    if (cloud) {
        const c = cloudRepo(i, cloud, o.name);
        return clusterManifest(i, o, { dataSource: { volumes }, instance, pgbackrest: { configuration: c.configuration, global: c.global, repos: [c.repo] } });
    }
    // repos[0] must be the volume repo: v5 labels and sizes the adopted repo PVC from it.
    // Without a v4 repo PVC, repo1 is a new volume like the data volume.
    const repoClaim = claimSpecOf(repo ?? data);
    return clusterManifest(i, o, { dataSource: { volumes }, instance, pgbackrest: { repos: [{ name: 'repo1', volume: { volumeClaimSpec: repoClaim } }] } });
}

/**
 * What every generated cluster has: kind and name, the data's major, the images, the v4 port and application
 * user, one instance set `"00"` of one replica; the method fills in the data source, volumes and repository.
 */
export function clusterManifest(
    i: Inspection,
    o: ManifestOptions,
    parts: {
        dataSource?: V5DataSource;
        instance: { dataVolumeClaimSpec: ClaimSpec; walVolumeClaimSpec?: ClaimSpec };
        pgbackrest: V5PgBackRest;
        users?: { name: string; databases?: string[] }[];
    },
): V5Cluster {
    const users = parts.users ?? (i.cluster.user ? [{ name: i.cluster.user, ...(i.cluster.database ? { databases: [i.cluster.database] } : {}) }] : []);
    const manifest: V5Cluster = {
        apiVersion: apiVersionOf(o.flavor),
        kind: o.flavor.kind,
        metadata: { name: o.name, namespace: o.namespace, annotations: { [SOURCE_ANNOTATION]: i.cluster.name } },
        spec: {
            postgresVersion: o.postgresVersion,
            ...(o.image ? { image: o.image } : {}),
            ...(i.cluster.port ? { port: i.cluster.port } : {}),
            ...(parts.dataSource ? { dataSource: parts.dataSource } : {}),
            instances: [{ name: '00', replicas: 1, ...parts.instance }],
            ...(users.length > 0 ? { users } : {}),
            backups: { pgbackrest: { ...(o.pgbackrestImage ? { image: o.pgbackrestImage } : {}), ...parts.pgbackrest } },
        },
    };
    return manifest;
}

function volumeOf(i: Inspection, role: VolumeReport['role']): VolumeReport {
    const v = i.volumes.find((x) => x.role === role);
    if (!v) throw new Error(`inspection has no ${role} volume`);
    return v;
}

/**
 * The fresh cluster a logical move fills (no dataSource): volumes of v4's size and class, a new repo1 volume,
 * the target's superuser (the copy restores as it), and each v4 application user by its Secret
 * `<v4>-<user>-secret` (apply copies their passwords). No user lists a database: the operator would create
 * it empty, and the copy creates each with v4's owner, encoding and locale.
 */
export function logicalManifest(i: Inspection, o: ManifestOptions): V5Cluster {
    const data = volumeOf(i, 'data');
    const wal = i.wal ? i.volumes.find((v) => v.role === 'wal' && v.size) : undefined;
    const users = applicationUsers(i.cluster.name, i.userSecrets).filter((u) => u !== o.flavor.superuser && isV5UserName(u));
    return clusterManifest(i, o, {
        instance: { dataVolumeClaimSpec: claimSpecOf(data), ...(wal ? { walVolumeClaimSpec: claimSpecOf(wal) } : {}) },
        pgbackrest: { repos: [{ name: 'repo1', volume: { volumeClaimSpec: claimSpecOf(data) } }] },
        users: [{ name: o.flavor.superuser }, ...users.map((name) => ({ name }))],
    });
}
