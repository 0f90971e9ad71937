import type { Flavor } from '../targets/flavors.js';
import { isObject, type V4Capture } from '../v4/capture.js';
import { nonEmpty, strings, text, type CarryItem, type InstanceSet, type Spec } from './carry-common.js';

/**
 * v4's node affinity: 4.7's `nodeAffinity.default` is a Kubernetes NodeAffinity, as v5 takes it (v4.7.9
 * pkg/apis/crunchydata.com/v1/cluster.go NodeAffinitySpec); 4.5 kept a node label in `userlabels` `NodeLabelKey` and
 * `NodeLabelValue`, which it turned into a preferred affinity of weight 10, operator In (v4.5.1
 * internal/operator/cluster/clusterlogic.go GetAffinity, pgo-configs/affinity.json).
 */
export function nodeAffinityOf(affinity: unknown, userlabels: unknown): { affinity: Record<string, unknown>; from: string } | undefined {
    const labels = strings(userlabels);
    if (nonEmpty(affinity)) return { affinity, from: 'nodeAffinity' };
    const key = text(labels.NodeLabelKey);
    const value = text(labels.NodeLabelValue);
    if (!key || !value) return undefined;
    return {
        affinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key, operator: 'In', values: [value] }] } }] },
        from: `userlabels NodeLabelKey=${key}, NodeLabelValue=${value} (4.5)`,
    };
}

export function carryNodeAffinity(spec: Record<string, unknown>, instance: InstanceSet | undefined, report: CarryItem[]): void {
    const found = nodeAffinityOf(isObject(spec.nodeAffinity) ? spec.nodeAffinity.default : undefined, spec.userlabels);
    if (!instance || !found) return;
    instance.affinity = { ...instance.affinity, nodeAffinity: found.affinity };
    report.push({ outcome: 'translated', from: `spec.${found.from === 'nodeAffinity' ? 'nodeAffinity.default' : found.from}`, to: 'spec.instances[0].affinity.nodeAffinity' });
}

/**
 * v4's pod anti-affinity (`podAntiAffinity.default`, v4.7.9 internal/operator/clusterutilities.go GetPodAntiAffinity,
 * pgo-configs/pod-anti-affinity.json): `preferred` (weight 1) or `required`, topology `kubernetes.io/hostname`, across
 * the cluster's pods. v5 has none unless asked: the same rule over the cluster's PostgreSQL pods (the operator's
 * labels `cluster` and `data`, PGO v5.8.9 internal/naming/labels.go, IVYO d91df9f6 the same with data `ivory`).
 * pgBouncer's goes to its pods (role `pgbouncer`); v5 runs one repository host, with nothing to keep apart from.
 */
export function carryAntiAffinity(spec: Record<string, unknown>, s: Spec, flavor: Flavor, cluster: string, report: CarryItem[]): void {
    const anti = isObject(spec.podAntiAffinity) ? spec.podAntiAffinity : {};
    const rule = (kind: unknown, labels: Record<string, string>): Record<string, unknown> | undefined => {
        const term = { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { [`${flavor.labelPrefix}cluster`]: cluster, ...labels } } };
        if (kind === 'required') return { requiredDuringSchedulingIgnoredDuringExecution: [term] };
        if (kind === 'preferred') return { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: term }] };
        return undefined;
    };
    const instance = s.instances?.[0];
    const forInstances = rule(anti.default, { [`${flavor.labelPrefix}data`]: flavor.dataLabelValue });
    if (instance && forInstances) {
        instance.affinity = { ...instance.affinity, podAntiAffinity: forInstances };
        report.push({ outcome: 'translated', from: `spec.podAntiAffinity.default ${String(anti.default)}`, to: 'spec.instances[0].affinity.podAntiAffinity' });
    }
    const forBouncer = rule(anti.pgBouncer, { [`${flavor.labelPrefix}role`]: 'pgbouncer' });
    if (forBouncer && s.proxy?.pgBouncer) {
        s.proxy.pgBouncer.affinity = { podAntiAffinity: forBouncer };
        report.push({ outcome: 'translated', from: `spec.podAntiAffinity.pgBouncer ${String(anti.pgBouncer)}`, to: 'spec.proxy.pgBouncer.affinity.podAntiAffinity' });
    } else if (forBouncer) {
        report.push({ outcome: 'dropped', from: `spec.podAntiAffinity.pgBouncer ${String(anti.pgBouncer)}`, why: 'the cluster runs no pgBouncer' });
    }
    if (anti.pgBackRest === 'required' || anti.pgBackRest === 'preferred') {
        report.push({
            outcome: 'dropped',
            from: `spec.podAntiAffinity.pgBackRest ${String(anti.pgBackRest)}`,
            why: 'v5 runs one pgBackRest repository host, with no other of its kind to keep apart from',
        });
    }
}

/**
 * The primary and every replica, as v4 ran them: replicas placed like the cluster count in `instances[0].replicas`;
 * a pgreplica with a placement or storage of its own (v4.7.9 pkg/apis/crunchydata.com/v1/replica.go: nodeAffinity,
 * tolerations, replicastorage; 4.5 NodeLabelKey in its userlabels) gets an instance set of its own, after
 * `instances[0]`, from which the operator bootstraps (PGO v5.8.9 internal/controller/postgrescluster/pgbackrest.go,
 * StartupInstanceSet = InstanceSets[0]).
 */
export function carryReplicas(c: V4Capture, s: Spec, report: CarryItem[]): void {
    const instance = s.instances?.[0];
    const spec = c.pgcluster.spec;
    const replicas = Math.max(Number(spec.replicas ?? 0) || 0, c.pgreplicas.length);
    if (!instance || replicas === 0) return;
    const own = c.pgreplicas.flatMap((r) => {
        const placed = nodeAffinityOf(r.spec.nodeAffinity, r.spec.userlabels);
        const tolerations = Array.isArray(r.spec.tolerations) ? r.spec.tolerations.filter(isObject) : [];
        const storage = isObject(r.spec.replicastorage) ? r.spec.replicastorage : {};
        const claim = instance.dataVolumeClaimSpec;
        const size = text(storage.size);
        const storageClass = text(storage.storageclass);
        const ownSize = claim && size && size !== claim.resources.requests.storage ? size : undefined;
        const ownClass = claim && storageClass && storageClass !== claim.storageClassName ? storageClass : undefined;
        if (!placed && tolerations.length === 0 && !ownSize && !ownClass) return [];
        const set: InstanceSet = { ...structuredClone(instance), replicas: 1 };
        if (placed) set.affinity = { ...set.affinity, nodeAffinity: placed.affinity };
        if (tolerations.length > 0) set.tolerations = tolerations;
        if (set.dataVolumeClaimSpec && (ownSize || ownClass)) {
            set.dataVolumeClaimSpec = {
                ...set.dataVolumeClaimSpec,
                resources: { requests: { storage: ownSize ?? set.dataVolumeClaimSpec.resources.requests.storage } },
                ...(ownClass ? { storageClassName: ownClass } : {}),
            };
        }
        const what = [placed ? placed.from : '', tolerations.length > 0 ? 'tolerations' : '', ownSize || ownClass ? 'replicastorage' : ''].filter(Boolean).join(', ');
        return [{ set, from: `pgreplica ${r.name} (${what})` }];
    });
    instance.replicas = 1 + replicas - own.length;
    report.push({
        outcome: 'translated',
        from: `spec.replicas ${String(spec.replicas ?? 0)}, ${c.pgreplicas.length} pgreplicas`,
        to: `spec.instances[0].replicas ${instance.replicas}${own.length > 0 ? ` and ${own.length} instance sets of their own` : ''}`,
    });
    own.forEach(({ set, from }, i) => {
        set.name = `r${i + 1}`;
        s.instances?.push(set);
        report.push({ outcome: 'translated', from, to: `spec.instances[${i + 1}] ${set.name}, 1 replica` });
    });
}
