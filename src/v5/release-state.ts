import type { KubeClient } from '../kube/client.js';
import { orAbsent } from '../kube/errors.js';
import { paths } from '../kube/paths.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../kube/types.js';
import type { Flavor } from '../targets/flavors.js';
import type { V5Cluster } from './cluster.js';

/** Everything `release-pvc` decides from, read fresh before every step. */
export interface ReleaseState {
    namespace: string;
    flavor: Flavor;
    clusterName: string;
    /** The owning cluster, or null once it is gone. */
    cluster: V5Cluster | null;
    pvcs: PersistentVolumeClaim[];
    pvs: Map<string, PersistentVolume>;
}

export async function readReleaseState(client: KubeClient, namespace: string, flavor: Flavor, clusterName: string, pvcNames: string[]): Promise<ReleaseState> {
    const [cluster, pvcs, pvs] = await Promise.all([
        orAbsent(client.get<V5Cluster>(paths.v5Cluster(flavor, namespace, clusterName))),
        Promise.all(pvcNames.map((p) => orAbsent(client.get<PersistentVolumeClaim>(paths.pvc(namespace, p))))),
        client.list<PersistentVolume>(paths.pv()),
    ]);
    return {
        namespace,
        flavor,
        clusterName,
        cluster,
        pvcs: pvcs.filter((p): p is PersistentVolumeClaim => p !== null),
        pvs: new Map(pvs.map((p) => [p.metadata.name, p])),
    };
}
