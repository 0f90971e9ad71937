import type { KubeObject } from '../kube/types.js';

export interface DataSourceVolume {
    pvcName: string;
    /** Where the v4 directory is on the volume; null only where a refusal has stopped generate first. */
    directory?: string | null;
}
export type DataSourceVolumes = Partial<Record<'pgDataVolume' | 'pgWALVolume' | 'pgBackRestVolume', DataSourceVolume>>;

/** A PVC spec the v5 operator can apply to a bound claim: access modes, size as written, class or none. */
export interface ClaimSpec {
    accessModes: string[];
    resources: { requests: { storage: string } };
    storageClassName?: string;
}

/** A pgBackRest repository of a v5 cluster: a volume, or a bucket. */
export interface V5Repo {
    name: string;
    schedules?: { full?: string; differential?: string; incremental?: string };
    volume?: { volumeClaimSpec: ClaimSpec };
    s3?: { bucket: string | null; endpoint: string | null; region: string | null };
    gcs?: { bucket: string | null };
}

/** Where a new v5 cluster's data comes from: the v4 volumes, and/or a restore from repo1. */
export interface V5DataSource {
    volumes?: DataSourceVolumes;
    ivoryCluster?: { repoName: string; options?: string[] };
    postgresCluster?: { repoName: string; options?: string[] };
}

type Resources = { requests?: Record<string, string>; limits?: Record<string, string> };
/** A Kubernetes Affinity: node affinity and pod anti-affinity, as the v5 CRDs take them. */
type Affinity = { nodeAffinity?: Record<string, unknown>; podAntiAffinity?: Record<string, unknown> };

export interface V5PgBackRest {
    image?: string;
    metadata?: { annotations?: Record<string, string> };
    configuration?: { secret?: { name: string } }[];
    global?: Record<string, string>;
    repoHost?: { resources?: Resources };
    repos?: V5Repo[];
}

/** A v5 cluster (IvoryCluster or PostgresCluster): the fields this tool writes and reads. */
export interface V5Cluster extends KubeObject {
    metadata: KubeObject['metadata'] & { uid?: string; generation?: number };
    spec?: {
        postgresVersion?: number;
        image?: string;
        port?: number;
        shutdown?: boolean;
        dataSource?: V5DataSource;
        /** A standby replays from a repository (`repoName`) and takes no writes until `enabled` is false. */
        standby?: { enabled: boolean; repoName?: string };
        instances?: {
            name: string;
            replicas?: number;
            dataVolumeClaimSpec?: ClaimSpec;
            walVolumeClaimSpec?: ClaimSpec;
            resources?: Resources;
            tolerations?: Record<string, unknown>[];
            metadata?: { annotations?: Record<string, string> };
            affinity?: Affinity;
        }[];
        customTLSSecret?: { name: string };
        customReplicationTLSSecret?: { name: string };
        postGISVersion?: string;
        config?: { parameters?: Record<string, number | string> };
        service?: { type: string };
        proxy?: {
            pgBouncer?: {
                replicas?: number;
                resources?: Resources;
                service?: { type: string };
                metadata?: { annotations?: Record<string, string> };
                config?: { global?: Record<string, string> };
                affinity?: Affinity;
                customTLSSecret?: { name: string };
            };
        };
        monitoring?: { pgmonitor?: { exporter?: { resources?: Resources } } };
        metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
        patroni?: { dynamicConfiguration?: Record<string, unknown>; leaderLeaseDurationSeconds?: number; syncPeriodSeconds?: number };
        users?: { name: string; databases?: string[] }[];
        backups?: { pgbackrest?: V5PgBackRest };
    };
    status?: {
        patroni?: { systemIdentifier?: string };
        instances?: { name: string; replicas?: number; readyReplicas?: number; updatedReplicas?: number }[];
        pgbackrest?: { repoHost?: { ready?: boolean } };
        conditions?: { type: string; status: string; reason?: string; message?: string }[];
    };
}

/** The move Jobs the v5 operator runs for each volume that has a directory (docs/upstream-facts.md "v5 volumes"). */
export function moveJobNames(cluster: string, volumes: DataSourceVolumes): string[] {
    const jobs: string[] = [];
    if (volumes.pgDataVolume?.directory) jobs.push(`${cluster}-move-pgdata-dir`);
    if (volumes.pgWALVolume?.directory) jobs.push(`${cluster}-move-pgwal-dir`);
    if (volumes.pgBackRestVolume?.directory) jobs.push(`${cluster}-move-pgbackrest-repo-dir`);
    return jobs;
}
