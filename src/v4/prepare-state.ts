import type { KubeClient } from '../kube/client.js';
import { orAbsent } from '../kube/errors.js';
import { paths } from '../kube/paths.js';
import type { Deployment, Job, KubeObject, PersistentVolume, PersistentVolumeClaim, Pgcluster, Pgtask, Pod } from '../kube/types.js';
import { UserError } from '../errors.js';
import type { Inspection } from './inspection.js';
import type { TargetChoice } from '../targets/choice.js';
import { inspectCluster } from './model.js';
import { V4 } from './names.js';
import { getPgcluster, observe } from './observe.js';
import { readCapture, type V4Capture } from './capture.js';
import { readPrepared } from './record.js';

/** Everything `prepare` decides from, read fresh before every step. */
export interface PrepareState {
    cluster: string;
    namespace: string;
    pgcluster: Pgcluster | null;
    /** The inspection of the live pgcluster, while it exists. */
    live: Inspection | null;
    record: Inspection | null;
    /** v4's configuration as the record holds it (null: not captured yet). */
    recordedCapture: V4Capture | null;
    /** v4's configuration read live, while the record holds none and the pgcluster is not being deleted. */
    liveCapture: V4Capture | null;
    pvcs: Map<string, PersistentVolumeClaim>;
    pvs: Map<string, PersistentVolume>;
    /** Deployments labelled pg-cluster=<cluster>. */
    deployments: Deployment[];
    pgreplicas: KubeObject[];
    pgtasks: Pgtask[];
    /** Jobs labelled pgrmdata=true,pg-cluster=<cluster>. */
    rmdataJobs: Job[];
    /** v4 backup Jobs: pgo-backrest=true,backrest-command=backup,pg-cluster=<cluster>. */
    backupJobs: Job[];
    /** Every pod of the namespace, to tell whether a PVC is still mounted. */
    pods: Pod[];
}

export async function readPrepareState(client: KubeClient, namespace: string, cluster: string, target: TargetChoice): Promise<PrepareState> {
    const selector = `${V4.label.cluster}=${cluster}`;
    const pgcluster = await orAbsent(getPgcluster(client, namespace, cluster));
    const [prepared, snapshot, pgtasks, rmdataJobs, backupJobs, pods] = await Promise.all([
        readPrepared(client, namespace, cluster),
        observe(client, { namespace, cluster }, pgcluster ? [pgcluster] : []),
        client.list<Pgtask>(paths.pgtask(namespace), { labelSelector: selector }),
        client.list<Job>(paths.job(namespace), { labelSelector: `pgrmdata=true,${selector}` }),
        client.list<Job>(paths.job(namespace), { labelSelector: `pgo-backrest=true,backrest-command=backup,${selector}` }),
        client.list<Pod>(paths.pods(namespace)),
    ]);
    // inspect gets by without PersistentVolumes; prepare sets their reclaim policy and must not skip that unseen.
    if (snapshot.pvsUnreadable) {
        throw new UserError(
            `${snapshot.pvsUnreadable}: prepare sets the reclaim policy of the reused PVs and needs get, list and patch on persistentvolumes ("kubectl ivyo-upgrade inspect --print-rbac" prints the role kubectl-ivyo-upgrade-volumes to bind)`,
        );
    }
    const recordedCapture = prepared?.capture ?? null;
    // Once v4's delete has begun, its ConfigMaps go: a capture read then would be poorer than none.
    const liveCapture = !recordedCapture && pgcluster && !pgcluster.metadata.deletionTimestamp ? await readCapture(client, pgcluster, snapshot.pgreplicas) : null;
    return {
        cluster,
        namespace,
        pgcluster,
        live: pgcluster ? inspectCluster(snapshot, pgcluster, target) : null,
        record: prepared?.inspection ?? null,
        recordedCapture,
        liveCapture,
        pvcs: new Map(snapshot.pvcs.map((p) => [p.metadata.name, p])),
        pvs: new Map(snapshot.pvs.map((p) => [p.metadata.name, p])),
        deployments: snapshot.deployments,
        pgreplicas: snapshot.pgreplicas,
        pgtasks,
        rmdataJobs,
        backupJobs,
        pods,
    };
}
