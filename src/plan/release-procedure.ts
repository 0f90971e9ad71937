import { UserError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { orAbsent } from '../kube/errors.js';
import type { PersistentVolumeClaim } from '../kube/types.js';
import { paths } from '../kube/paths.js';
import { keepPvcOwners, removePvcLabels, removeVolumesSource, retainPv } from '../kube/volume-writes.js';
import { send, type WriteRequest } from '../kube/writes.js';
import type { V5Cluster } from '../v5/cluster.js';
import { FLAVORS, type Flavor, type FlavorName } from '../targets/flavors.js';
import type { Procedure } from './execute.js';
import { readReleaseState, type ReleaseState } from '../v5/release-state.js';
import { describeRelease, isOwner, ownedBy, planRelease, type ReleaseAction } from './release.js';

export interface ReleaseTarget {
    flavor: Flavor;
    clusterName: string;
    pvcs: string[];
}

/**
 * Which cluster and PVCs to release: the owner is read from the PVC's ownerReferences (the guide wrongly
 * names the object after the PVC), else from its v5 cluster label; `--all` takes every PVC of the cluster.
 * Returns null when the named PVC belongs to no v5 cluster.
 */
export async function resolveRelease(
    client: KubeClient,
    namespace: string,
    request: { pvc?: string; cluster?: string; all: boolean; target?: FlavorName },
    served: Record<FlavorName, boolean>,
): Promise<ReleaseTarget | null> {
    const flavors = Object.values(FLAVORS).filter((f) => served[f.name] && (!request.target || f.name === request.target));
    if (flavors.length === 0) {
        const wanted = Object.values(FLAVORS).filter((f) => !request.target || f.name === request.target);
        throw new UserError(`the server does not serve ${wanted.map((f) => `${f.plural}.${f.group}`).join(' or ')}: no v5 cluster can own a PVC here; check the context`);
    }
    if (request.pvc) {
        const pvc = await orAbsent(client.get<PersistentVolumeClaim>(paths.pvc(namespace, request.pvc)));
        if (!pvc) throw new UserError(`PVC "${request.pvc}" not found in namespace "${namespace}"`);
        for (const f of flavors) {
            const owner = pvc.metadata.ownerReferences?.find((r) => r.controller && r.kind === f.kind && r.apiVersion.startsWith(`${f.group}/`));
            const name = owner?.name ?? pvc.metadata.labels?.[`${f.labelPrefix}cluster`];
            if (!name) continue;
            if (request.cluster && request.cluster !== name) {
                throw new UserError(`PVC ${request.pvc} belongs to ${f.kind} ${name}, not to ${request.cluster}: leave --cluster out, or name the right cluster`);
            }
            return { flavor: f, clusterName: name, pvcs: [request.pvc] };
        }
        return null;
    }
    const name = request.cluster;
    if (!name) throw new UserError('--all needs --cluster NAME');
    const found = (await Promise.all(flavors.map(async (f) => ((await orAbsent(client.get<V5Cluster>(paths.v5Cluster(f, namespace, name)))) ? f : null)))).filter(
        (f): f is Flavor => f !== null,
    );
    const [flavor, other] = found;
    if (!flavor) throw new UserError(`no ${flavors.map((f) => f.kind).join(' or ')} named "${name}" in namespace "${namespace}"`);
    if (other) throw new UserError(`both an IvoryCluster and a PostgresCluster are named "${name}" in namespace "${namespace}": pass --target ivyo or --target pgo`);
    const cluster = await client.get<V5Cluster>(paths.v5Cluster(flavor, namespace, name));
    const state = { flavor, clusterName: name, cluster };
    const pvcs = (await client.list<PersistentVolumeClaim>(paths.pvc(namespace))).filter((p) => p.metadata.labels?.[`${flavor.labelPrefix}cluster`] === name || ownedBy(p, state));
    return { flavor, clusterName: name, pvcs: pvcs.map((p) => p.metadata.name).sort() };
}

/** The exact write of one step of release-pvc. Pure: the table test pins every one. */
export function releaseRequest(a: ReleaseAction, s: ReleaseState): WriteRequest {
    switch (a.kind) {
        case 'retain-pv':
            return retainPv(a.pv);
        case 'remove-volumes-source':
            return removeVolumesSource(paths.v5Cluster(s.flavor, s.namespace, s.clusterName), s.cluster?.spec?.dataSource?.volumes);
        case 'remove-v5-labels':
            return removePvcLabels(s.namespace, a.pvc, a.labels);
        case 'remove-owner': {
            // Only the references to this cluster go; any other owner stays, on condition that the list is what was
            // just read.
            const refs = s.pvcs.find((p) => p.metadata.name === a.pvc)?.metadata.ownerReferences ?? [];
            return keepPvcOwners(
                s.namespace,
                a.pvc,
                refs,
                refs.filter((r) => !isOwner(r, s)),
            );
        }
    }
}

export function releasePvcs(client: KubeClient, namespace: string, t: ReleaseTarget): Procedure<ReleaseState, ReleaseAction> {
    return {
        title: `release PVC ${t.pvcs.join(', ')} from ${t.flavor.kind} ${t.clusterName} in namespace ${namespace}`,
        observe: () => readReleaseState(client, namespace, t.flavor, t.clusterName, t.pvcs),
        plan: planRelease,
        describe: describeRelease,
        isWait: () => false,
        async execute(a, s, dryRun) {
            await send(client, releaseRequest(a, s), { dryRun });
        },
        onTimeout: () => 'no step of release-pvc waits',
    };
}
