import type { KubeClient } from '../kube/client.js';
import { orAbsent } from '../kube/errors.js';
import { paths } from '../kube/paths.js';
import type { Deployment, KubeObject, Pgcluster } from '../kube/types.js';
import type { Flavor } from '../targets/flavors.js';
import { V4 } from '../v4/names.js';
import type { V5Cluster } from './cluster.js';

/** Everything `promote` decides from, read fresh before every step. */
export interface PromoteState {
    namespace: string;
    flavor: Flavor;
    v4Cluster: string;
    v5Name: string;
    pgcluster: Pgcluster | null;
    /** v4's Deployments (the database's, pgBackRest's, pgBouncer's): ShutdownCluster scales every one to 0. */
    v4Deployments: Deployment[];
    /** v4's PostgreSQL pods still there (a pod being deleted counts: its PostgreSQL may still be stopping). */
    v4Pods: string[];
    cluster: V5Cluster | null;
    /** Names of the Secrets in the namespace (metadata only). */
    secrets: Set<string>;
}

export async function readPromoteState(client: KubeClient, flavor: Flavor, namespace: string, v4Cluster: string, v5Name: string): Promise<PromoteState> {
    const selector = `${V4.label.cluster}=${v4Cluster}`;
    const [pgcluster, deployments, pods, cluster, secrets] = await Promise.all([
        orAbsent(client.get<Pgcluster>(paths.pgcluster(namespace, v4Cluster))),
        client.list<Deployment>(paths.deployments(namespace), { labelSelector: selector }),
        client.list<KubeObject>(paths.pods(namespace), { labelSelector: `${selector},${V4.label.database}=true`, metadataOnly: true }),
        orAbsent(client.get<V5Cluster>(paths.v5Cluster(flavor, namespace, v5Name))),
        client.list<KubeObject>(paths.secret(namespace), { metadataOnly: true }),
    ]);
    return {
        namespace,
        flavor,
        v4Cluster,
        v5Name,
        pgcluster,
        v4Deployments: deployments,
        v4Pods: pods.map((p) => p.metadata.name),
        cluster,
        secrets: new Set(secrets.map((s) => s.metadata.name)),
    };
}
