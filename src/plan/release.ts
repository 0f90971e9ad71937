import type { ReleaseState } from '../v5/release-state.js';
import type { PersistentVolumeClaim } from '../kube/types.js';
import { PreconditionFailed } from './execute.js';

/** The PVCs to release from one v5 cluster, read fresh before every step. */
export type ReleaseAction =
    | { kind: 'retain-pv'; pv: string; pvc: string; from: string }
    | { kind: 'remove-volumes-source' }
    | { kind: 'remove-v5-labels'; pvc: string; labels: string[] }
    | { kind: 'remove-owner'; pvc: string };

/**
 * Labels the v5 operator selects its volumes by (docs/upstream-facts.md "v5 volumes"): `cluster`, the repo set and `data`
 * (which the upgrade guide forgets), and `instance`, `instance-set`, `role` on data and WAL PVCs.
 */
export const V5_VOLUME_LABELS = ['cluster', 'pgbackrest', 'pgbackrest-repo', 'pgbackrest-volume', 'data', 'instance', 'instance-set', 'role'];

/**
 * Makes PVCs safe from the v5 cluster that adopted them: deleting that cluster would delete them (its
 * controller ownerReference; the WARNING of CrunchyData/postgres-operator 4e02a86b upgrade-method-2-backups.md).
 * The guide's own commands patch the wrong object and miss the `data` label; this follows the order the code needs.
 */
export function planRelease(s: ReleaseState): ReleaseAction[] {
    const p = s.flavor.labelPrefix;
    const actions: ReleaseAction[] = [];
    for (const pvc of s.pvcs) {
        const role = pvc.metadata.labels?.[`${p}role`];
        if ((role === 'pgdata' || role === 'pgwal') && s.cluster && !s.cluster.spec?.shutdown) {
            throw new PreconditionFailed(
                `PVC ${pvc.metadata.name} holds the ${role === 'pgdata' ? 'data' : 'WAL'} of running ${s.flavor.kind} ${s.clusterName}: while it runs, the operator finds that volume by these labels and would make a new, empty one. Shut it down first: kubectl patch ${s.flavor.plural}.${s.flavor.group} ${s.clusterName} -n ${s.namespace} --type merge -p '{"spec":{"shutdown":true}}'`,
            );
        }
    }
    for (const pvc of s.pvcs) {
        const pv = pvc.spec?.volumeName ? s.pvs.get(pvc.spec.volumeName) : undefined;
        const policy = pv?.spec?.persistentVolumeReclaimPolicy;
        if (pv && policy !== 'Retain') actions.push({ kind: 'retain-pv', pv: pv.metadata.name, pvc: pvc.metadata.name, from: policy ?? 'unset' });
    }
    if (s.cluster?.spec?.dataSource?.volumes) actions.push({ kind: 'remove-volumes-source' });
    for (const pvc of s.pvcs) {
        const labels = V5_VOLUME_LABELS.map((l) => `${p}${l}`).filter((l) => pvc.metadata.labels?.[l] !== undefined);
        if (labels.length > 0) actions.push({ kind: 'remove-v5-labels', pvc: pvc.metadata.name, labels });
    }
    for (const pvc of s.pvcs) {
        if (ownedBy(pvc, s)) actions.push({ kind: 'remove-owner', pvc: pvc.metadata.name });
    }
    return actions;
}

/** Owner references that point at the cluster being released from (by uid while it exists, else by name). */
export function ownedBy(pvc: PersistentVolumeClaim, s: Pick<ReleaseState, 'flavor' | 'clusterName' | 'cluster'>): boolean {
    return (pvc.metadata.ownerReferences ?? []).some((r) => isOwner(r, s));
}

export function isOwner(r: NonNullable<PersistentVolumeClaim['metadata']['ownerReferences']>[number], s: Pick<ReleaseState, 'flavor' | 'clusterName' | 'cluster'>): boolean {
    return r.kind === s.flavor.kind && r.apiVersion.startsWith(`${s.flavor.group}/`) && r.name === s.clusterName && (!s.cluster?.metadata.uid || r.uid === s.cluster.metadata.uid);
}

export function describeRelease(a: ReleaseAction, s: Pick<ReleaseState, 'flavor' | 'clusterName'>): string {
    switch (a.kind) {
        case 'retain-pv':
            return `set reclaim policy Retain on PV ${a.pv} (PVC ${a.pvc}; now ${a.from})`;
        case 'remove-volumes-source':
            return `remove spec.dataSource.volumes from ${s.flavor.kind} ${s.clusterName} (JSON patch with a test op), so the operator adopts nothing again`;
        case 'remove-v5-labels':
            return `remove labels ${a.labels.join(', ')} from PVC ${a.pvc}`;
        case 'remove-owner':
            return `remove the ownerReference to ${s.flavor.kind} ${s.clusterName} from PVC ${a.pvc}, so deleting the cluster leaves the PVC`;
    }
}
