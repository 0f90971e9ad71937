import type { KubeClient } from '../kube/client.js';
import { ApiError, orAbsent } from '../kube/errors.js';
import { paths } from '../kube/paths.js';
import type { Deployment, KubeObject, PersistentVolume, PersistentVolumeClaim, Pgcluster, Pgreplica } from '../kube/types.js';
import { V4 } from './names.js';
import { PREFLIGHT_LABEL } from './preflight-record.js';
import type { V4Snapshot } from './snapshot.js';

/** Where to look: one namespace or all (null), one cluster or every cluster there. */
export interface Scope {
    namespace: string | null;
    cluster?: string;
}

/** Reads one pgcluster; a missing one is an ApiError 404 for the caller to word. */
export function getPgcluster(client: KubeClient, namespace: string, name: string): Promise<Pgcluster> {
    return client.get<Pgcluster>(paths.pgcluster(namespace, name));
}

/**
 * Reads everything an inspection needs with a fixed number of list calls, in parallel, whatever the number
 * of clusters: label-selected where v4 labels its objects, metadata-only where names are all that matter; for one
 * cluster, its PVs by name instead of every PV of the Kubernetes cluster.
 */
export async function observe(client: KubeClient, scope: Scope, pgclusters?: Pgcluster[]): Promise<V4Snapshot> {
    const ns = scope.namespace;
    const selector = scope.cluster ? `${V4.label.cluster}=${scope.cluster}` : V4.label.cluster;
    const claims = client.list<PersistentVolumeClaim>(paths.pvc(ns));
    const cluster = scope.cluster;
    const [clusters, pgreplicas, deployments, pods, pvcs, pvs, secrets, configMaps, services, deploymentNames, preflights] = await Promise.all([
        pgclusters ?? client.list<Pgcluster>(paths.pgcluster(ns)),
        client.list<Pgreplica>(paths.pgreplicas(ns), { labelSelector: selector }),
        client.list<Deployment>(paths.deployments(ns), { labelSelector: selector }),
        client.list<KubeObject>(paths.pods(ns), { labelSelector: selector, metadataOnly: true }),
        claims,
        // One cluster: the PVs its claims name, by name, whatever the rest of the fleet holds; else every PV.
        cluster
            ? claims.then((all) =>
                  readPvsByName(
                      client,
                      all.filter((p) => isClusterClaim(p, cluster)).flatMap((p) => p.spec?.volumeName ?? []),
                  ),
              )
            : readPvs(client),
        client.list<KubeObject>(paths.secret(ns), { metadataOnly: true }),
        client.list<KubeObject>(paths.configMap(ns), { metadataOnly: true }),
        client.list<KubeObject>(paths.services(ns), { metadataOnly: true }),
        client.list<KubeObject>(paths.deployments(ns), { metadataOnly: true }),
        client.list<KubeObject & { data?: Record<string, string> }>(paths.configMap(ns), {
            labelSelector: scope.cluster ? `${PREFLIGHT_LABEL}=${scope.cluster}` : PREFLIGHT_LABEL,
        }),
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
        preflights,
    };
}

/**
 * A claim of this v4 cluster: labelled with it (v4.7.10 pvc.json), or named after it or one of its deployments
 * (`<c>`, `<c>-wal`, `<c>-pgbr-repo`, `<c>-xxxx`: unlabelled once prepare took v4's labels off).
 */
function isClusterClaim(p: PersistentVolumeClaim, cluster: string): boolean {
    return p.metadata.labels?.[V4.label.cluster] === cluster || p.metadata.name === cluster || p.metadata.name.startsWith(`${cluster}-`);
}

/** The named PVs, read one by one (a PV gone is left out); a user who may not get PVs degrades the report, not the command. */
async function readPvsByName(client: KubeClient, names: string[]): Promise<{ items: PersistentVolume[]; unreadable: string | null }> {
    try {
        const found = await Promise.all([...new Set(names)].map((n) => orAbsent(client.get<PersistentVolume>(paths.pv(n)))));
        return { items: found.filter((p): p is PersistentVolume => p !== null), unreadable: null };
    } catch (e) {
        if (e instanceof ApiError && e.status === 403) return { items: [], unreadable: 'forbidden: cannot get persistentvolumes' };
        throw e;
    }
}

/** PVs are cluster-scoped: a namespaced user may not read them, which degrades the report, not the command. */
async function readPvs(client: KubeClient): Promise<{ items: PersistentVolume[]; unreadable: string | null }> {
    try {
        return { items: await client.list<PersistentVolume>(paths.pv()), unreadable: null };
    } catch (e) {
        if (e instanceof ApiError && e.status === 403) return { items: [], unreadable: 'forbidden: cannot list persistentvolumes' };
        throw e;
    }
}
