import type { KubeObject } from '../kube/types.js';

export interface DataSourceVolume {
    pvcName: string;
    directory?: string;
}
export type DataSourceVolumes = Partial<Record<'pgDataVolume' | 'pgWALVolume' | 'pgBackRestVolume', DataSourceVolume>>;

/** A v5 cluster (IvoryCluster or PostgresCluster): only the fields this tool reads. */
export interface V5Cluster extends KubeObject {
    metadata: KubeObject['metadata'] & { uid?: string; generation?: number };
    spec?: {
        shutdown?: boolean;
        dataSource?: { volumes?: DataSourceVolumes; ivoryCluster?: { repoName: string }; postgresCluster?: { repoName: string } };
        users?: { name: string }[];
        backups?: { pgbackrest?: { configuration?: { secret?: { name: string } }[]; repos?: { name: string; volume?: unknown; s3?: unknown; gcs?: unknown }[] } };
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
