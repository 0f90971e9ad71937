import { paths } from './paths.js';
import type { ObjectMeta } from './types.js';
import { jsonPatchRequest, mergePatchRequest, type WriteRequest } from './writes.js';

/**
 * The writes on volumes and on a cluster's volume source that prepare, apply and release-pvc share, each in
 * one place: exactly which request goes out is decided here.
 */

type OwnerReferences = NonNullable<ObjectMeta['ownerReferences']>;

/** Reclaim policy Retain: the data outlives its claim. */
export function retainPv(pv: string): WriteRequest {
    return mergePatchRequest(paths.pv(pv), { spec: { persistentVolumeReclaimPolicy: 'Retain' } });
}

/** Removes these labels from a PVC (a merge patch with null values). */
export function removePvcLabels(namespace: string, pvc: string, labels: string[]): WriteRequest {
    return mergePatchRequest(paths.pvc(namespace, pvc), { metadata: { labels: Object.fromEntries(labels.map((l) => [l, null])) } });
}

/** Keeps only `keep` of a PVC's ownerReferences, on condition (a test op) that they are still `current`. */
export function keepPvcOwners(namespace: string, pvc: string, current: OwnerReferences, keep: OwnerReferences): WriteRequest {
    return jsonPatchRequest(paths.pvc(namespace, pvc), [
        { op: 'test', path: '/metadata/ownerReferences', value: current },
        keep.length > 0 ? { op: 'replace', path: '/metadata/ownerReferences', value: keep } : { op: 'remove', path: '/metadata/ownerReferences' },
    ]);
}

/** Removes `spec.dataSource.volumes` from a v5 cluster, on condition (a test op) that it is still `current`. */
export function removeVolumesSource(clusterPath: string, current: unknown): WriteRequest {
    return jsonPatchRequest(clusterPath, [
        { op: 'test', path: '/spec/dataSource/volumes', value: current },
        { op: 'remove', path: '/spec/dataSource/volumes' },
    ]);
}
