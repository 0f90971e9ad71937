import type { KubeClient } from '../kube/client.js';
import { orAbsent } from '../kube/errors.js';
import { firstLine } from '../errors.js';
import { paths } from '../kube/paths.js';
import { jobFailed } from '../kube/jobs.js';
import { getPgcluster } from '../v4/observe.js';
import type { Job, KubeObject, PersistentVolumeClaim } from '../kube/types.js';
import type { V5Cluster } from './cluster.js';
import type { Flavor } from '../targets/flavors.js';

/** Everything `apply` decides from, read fresh before every step. */
export interface ApplyState {
    namespace: string;
    flavor: Flavor;
    manifest: V5Cluster;
    /** The v4 cluster the passwords come from. */
    v4Cluster: string;
    v4Present: boolean;
    cluster: V5Cluster | null;
    pvcs: Map<string, PersistentVolumeClaim>;
    /** Names of the Secrets in the namespace (metadata only). */
    secrets: Set<string>;
    moveJobs: Job[];
    /** The last lines of the log of each failed move Job's pod, or why they could not be read. */
    failedJobLogs: Map<string, string>;
}

export async function readApplyState(client: KubeClient, flavor: Flavor, manifest: V5Cluster, v4Cluster: string, v4Served: boolean): Promise<ApplyState> {
    const namespace = manifest.metadata.namespace ?? '';
    const name = manifest.metadata.name;
    const [cluster, v4, pvcs, secrets, moveJobs] = await Promise.all([
        orAbsent(client.get<V5Cluster>(paths.v5Cluster(flavor, namespace, name))),
        v4Served ? orAbsent(getPgcluster(client, namespace, v4Cluster)) : Promise.resolve(null),
        client.list<PersistentVolumeClaim>(paths.pvc(namespace)),
        client.list<KubeObject>(paths.secret(namespace), { metadataOnly: true }),
        client.list<Job>(paths.job(namespace), { labelSelector: `${flavor.labelPrefix}cluster=${name},${flavor.labelPrefix}move-job` }),
    ]);
    const failedJobLogs = new Map<string, string>();
    for (const job of moveJobs.filter(jobFailed)) {
        failedJobLogs.set(job.metadata.name, await jobLogTail(client, namespace, job.metadata.name));
    }
    return {
        namespace,
        flavor,
        manifest,
        v4Cluster,
        v4Present: v4 !== null,
        cluster,
        pvcs: new Map(pvcs.map((p) => [p.metadata.name, p])),
        secrets: new Set(secrets.map((s) => s.metadata.name)),
        moveJobs,
        failedJobLogs,
    };
}

async function jobLogTail(client: KubeClient, namespace: string, job: string): Promise<string> {
    const pods = await client.list<KubeObject>(paths.pods(namespace), { labelSelector: `job-name=${job}`, metadataOnly: true });
    const pod = pods[0];
    if (!pod) return '(its pod is gone: no log to show)';
    try {
        const text = await client.request<string>('GET', paths.podLog(namespace, pod.metadata.name), { query: { tailLines: '20' }, accept: 'text/plain' });
        return String(text);
    } catch (e) {
        return `(the log of pod ${pod.metadata.name} could not be read: ${firstLine(e)})`;
    }
}
