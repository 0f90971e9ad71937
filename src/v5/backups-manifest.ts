import type { Inspection } from '../v4/inspection.js';
import type { V5Cluster, V5DataSource, V5PgBackRest, V5Repo } from './cluster.js';
import { claimSpecOf, clusterManifest, type ManifestOptions } from './manifest.js';
import { cloudRepo, type RepoKind } from './repository.js';

export interface BackupsOptions extends ManifestOptions {
    repo: RepoKind;
    /** pgBackRest restore options for point-in-time recovery, e.g. `--type=time`, `--target="…"`. */
    restoreOptions: string[];
}

/**
 * A new v5 cluster restored from the v4 pgBackRest repository (method 2: CrunchyData/postgres-operator
 * 4e02a86b docs/content/upgrade/v4tov5/upgrade-method-2-backups.md). posix: the v4 repo PVC is adopted as repo1 and restored from. s3/gcs: repo1 points at the
 * exact v4 repo path, with the v4 credentials converted into a Secret. Pure; the caller checked the refusals.
 */
export function backupsManifest(i: Inspection, o: BackupsOptions): V5Cluster {
    const data = i.volumes.find((v) => v.role === 'data');
    if (!data) throw new Error('inspection has no data volume');
    const repo = i.repository;
    const restore = { repoName: 'repo1', ...(o.restoreOptions.length > 0 ? { options: o.restoreOptions } : {}) };
    const restoreFrom: V5DataSource = o.flavor.dataSourceKey === 'ivoryCluster' ? { ivoryCluster: restore } : { postgresCluster: restore };
    let repoSpec: V5Repo;
    let dataSource: V5DataSource;
    const global: Record<string, string> = {};
    let configuration: V5PgBackRest['configuration'];
    if (o.repo === 'posix') {
        const repoVolume = i.volumes.find((v) => v.role === 'repo');
        if (!repoVolume || !repo.pvc) throw new Error('inspection has no repo volume');
        repoSpec = { name: 'repo1', volume: { volumeClaimSpec: claimSpecOf(repoVolume) } };
        // The repo move Job relocates archive/ and backup/ to the volume root, which v5 mounts as repo1's path.
        dataSource = { volumes: { pgBackRestVolume: { pvcName: repo.pvc, directory: repo.directory } }, ...restoreFrom };
    } else {
        const cloud = cloudRepo(i, o.repo, o.name);
        repoSpec = cloud.repo;
        Object.assign(global, cloud.global);
        configuration = cloud.configuration;
        dataSource = restoreFrom;
    }
    return clusterManifest(i, o, {
        dataSource,
        instance: { dataVolumeClaimSpec: claimSpecOf(data) },
        pgbackrest: {
            ...(configuration ? { configuration } : {}),
            ...(Object.keys(global).length > 0 ? { global } : {}),
            repos: [repoSpec],
        },
    });
}

/**
 * A v5 standby that follows the v4 cluster's S3 or GCS repository while v4 runs (method 3: CrunchyData/postgres-operator
 * docs/content/upgrade/v4tov5/upgrade-method-3-standby-cluster.md, at the parent of c3496ac35): repo1 is v4's cloud
 * repository at the exact v4 path, `spec.standby` replays from it, and no data source. v5 writes nothing there
 * while it is a standby: PGO creates the stanza and takes backups only from a writable instance and suspends
 * scheduled backups of a standby (v5.8.9 internal/controller/postgrescluster/pgbackrest.go reconcileStanzaCreate,
 * reconcileScheduledBackups). Pure; the caller checked the refusals.
 */
export function standbyManifest(i: Inspection, o: ManifestOptions & { repo: 's3' | 'gcs' }): V5Cluster {
    const data = i.volumes.find((v) => v.role === 'data');
    if (!data) throw new Error('inspection has no data volume');
    const cloud = cloudRepo(i, o.repo, o.name);
    const manifest = clusterManifest(i, o, {
        instance: { dataVolumeClaimSpec: claimSpecOf(data) },
        pgbackrest: { configuration: cloud.configuration, global: cloud.global, repos: [cloud.repo] },
    });
    return { ...manifest, spec: { ...manifest.spec, standby: { enabled: true, repoName: 'repo1' } } };
}
