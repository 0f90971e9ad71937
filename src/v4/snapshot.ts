import type { Deployment, KubeObject, PersistentVolume, PersistentVolumeClaim, Pgcluster, Pgreplica } from '../kube/types.js';

/**
 * The live objects an inspection reads, as the server sent them. Namespaced objects keep their
 * `metadata.namespace`, so one snapshot can hold many namespaces (`inspect -A`).
 */
export interface V4Snapshot {
    pgclusters: Pgcluster[];
    pgreplicas: Pgreplica[];
    /** The cluster's deployments (labelled `pg-cluster`), whole. */
    deployments: Deployment[];
    /** Metadata only: the primary check reads pod labels. */
    pods: KubeObject[];
    pvcs: PersistentVolumeClaim[];
    pvs: PersistentVolume[];
    /** Why PersistentVolumes could not be read (say, no cluster-wide `list persistentvolumes`), or null. */
    pvsUnreadable: string | null;
    /** Metadata only: the tool never reads a Secret's data to inspect. */
    secrets: KubeObject[];
    /** Metadata only, every object of these kinds: what a v5 cluster's names could collide with. */
    configMaps: KubeObject[];
    services: KubeObject[];
    deploymentNames: KubeObject[];
    /** The ConfigMaps holding what prepare's preflight Job read (logical move), whole: they hold no secret. */
    preflights: (KubeObject & { data?: Record<string, string> })[];
}

export function inNamespace<T extends KubeObject>(objects: T[], namespace: string): T[] {
    return objects.filter((o) => o.metadata.namespace === namespace);
}
