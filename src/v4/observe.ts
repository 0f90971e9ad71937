import type { KubeClient } from '../kube/client.js';
import { ApiError } from '../kube/client.js';
import { V4_GROUP, V4_VERSION } from '../kube/discovery.js';
import type { Deployment, KubeObject, PersistentVolume, PersistentVolumeClaim, Pgcluster, Pgreplica } from '../kube/types.js';
import { V4 } from './names.js';
import type { V4Snapshot } from './snapshot.js';

/** Where to look: one namespace or all (null), one cluster or every cluster there. */
export interface Scope {
    namespace: string | null;
    cluster?: string;
}

const V4_API = `/apis/${V4_GROUP}/${V4_VERSION}`;

function collection(prefix: string, namespace: string | null, resource: string): string {
    return namespace === null ? `${prefix}/${resource}` : `${prefix}/namespaces/${encodeURIComponent(namespace)}/${resource}`;
}

/** Reads one pgcluster; a missing one is an ApiError 404 for the caller to word. */
export function getPgcluster(client: KubeClient, namespace: string, name: string): Promise<Pgcluster> {
    return client.get<Pgcluster>(`${collection(V4_API, namespace, 'pgclusters')}/${encodeURIComponent(name)}`);
}

/**
 * Reads everything an inspection needs with a fixed number of list calls, in parallel, whatever the number
 * of clusters: label-selected where v4 labels its objects, metadata-only where names are all that matter.
 */
export async function observe(client: KubeClient, scope: Scope, pgclusters?: Pgcluster[]): Promise<V4Snapshot> {
    const ns = scope.namespace;
    const selector = scope.cluster ? `${V4.label.cluster}=${scope.cluster}` : V4.label.cluster;
    const [clusters, pgreplicas, deployments, pods, pvcs, pvs, secrets, configMaps, services, deploymentNames] = await Promise.all([
        pgclusters ?? client.list<Pgcluster>(collection(V4_API, ns, 'pgclusters')),
        client.list<Pgreplica>(collection(V4_API, ns, 'pgreplicas'), { labelSelector: selector }),
        client.list<Deployment>(collection('/apis/apps/v1', ns, 'deployments'), { labelSelector: selector }),
        client.list<KubeObject>(collection('/api/v1', ns, 'pods'), { labelSelector: selector, metadataOnly: true }),
        client.list<PersistentVolumeClaim>(collection('/api/v1', ns, 'persistentvolumeclaims')),
        readPvs(client),
        client.list<KubeObject>(collection('/api/v1', ns, 'secrets'), { metadataOnly: true }),
        client.list<KubeObject>(collection('/api/v1', ns, 'configmaps'), { metadataOnly: true }),
        client.list<KubeObject>(collection('/api/v1', ns, 'services'), { metadataOnly: true }),
        client.list<KubeObject>(collection('/apis/apps/v1', ns, 'deployments'), { metadataOnly: true }),
    ]);
    return {
        pgclusters: clusters,
        pgreplicas,
        deployments,
        pods,
        pvcs,
        pvs: pvs.items,
        pvsUnreadable: pvs.unreadable,
        secrets,
        configMaps,
        services,
        deploymentNames,
    };
}

/** PVs are cluster-scoped: a namespaced user may not read them, which degrades the report, not the command. */
async function readPvs(client: KubeClient): Promise<{ items: PersistentVolume[]; unreadable: string | null }> {
    try {
        return { items: await client.list<PersistentVolume>('/api/v1/persistentvolumes'), unreadable: null };
    } catch (e) {
        if (e instanceof ApiError && e.status === 403) return { items: [], unreadable: 'forbidden: cannot list persistentvolumes' };
        throw e;
    }
}
