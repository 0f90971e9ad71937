import type { KubeClient } from './client.js';
import { paths } from './paths.js';
import type { ObjectMeta } from './types.js';
import { jsonPatch, mergePatch, type WriteOptions } from './writes.js';

/**
 * The writes on volumes and on a cluster's volume source that prepare, apply and release-pvc share, each in
 * one place: what request goes out is decided here.
 */

/** Reclaim policy Retain: the data outlives its claim. */
export function retainPv(client: KubeClient, pv: string, o: WriteOptions): Promise<unknown> {
    return mergePatch(client, paths.pv(pv), { spec: { persistentVolumeReclaimPolicy: 'Retain' } }, o);
}

/** Removes these labels from a PVC (a merge patch with null values). */
export function removePvcLabels(client: KubeClient, namespace: string, pvc: string, labels: string[], o: WriteOptions): Promise<unknown> {
    return mergePatch(client, paths.pvc(namespace, pvc), { metadata: { labels: Object.fromEntries(labels.map((l) => [l, null])) } }, o);
}

/** Keeps only `keep` of a PVC's ownerReferences, on condition (a test op) that they are still `current`. */
export function keepPvcOwners(
    client: KubeClient,
    namespace: string,
    pvc: string,
    current: NonNullable<ObjectMeta['ownerReferences']>,
    keep: NonNullable<ObjectMeta['ownerReferences']>,
    o: WriteOptions,
): Promise<unknown> {
    return jsonPatch(
        client,
        paths.pvc(namespace, pvc),
        [
            { op: 'test', path: '/metadata/ownerReferences', value: current },
            keep.length > 0 ? { op: 'replace', path: '/metadata/ownerReferences', value: keep } : { op: 'remove', path: '/metadata/ownerReferences' },
        ],
        o,
    );
}

/** Removes `spec.dataSource.volumes` from a v5 cluster, on condition (a test op) that it is still `current`. */
export function removeVolumesSource(client: KubeClient, clusterPath: string, current: unknown, o: WriteOptions): Promise<unknown> {
    return jsonPatch(
        client,
        clusterPath,
        [
            { op: 'test', path: '/spec/dataSource/volumes', value: current },
            { op: 'remove', path: '/spec/dataSource/volumes' },
        ],
        o,
    );
}
