import type { KubeClient } from '../kube/client.js';
import { orAbsent } from '../kube/errors.js';
import { paths } from '../kube/paths.js';
import type { Deployment, Job, KubeObject, Pgcluster, Pod } from '../kube/types.js';
import type { TargetChoice } from '../targets/choice.js';
import type { Flavor } from '../targets/flavors.js';
import type { Inspection } from '../v4/inspection.js';
import { inspectCluster } from '../v4/model.js';
import { getPgcluster, observe } from '../v4/observe.js';
import { preflightName, recordedPreflight, type RecordedPreflight } from '../v4/preflight-record.js';
import type { V5Cluster } from './cluster.js';
import { logicalJobName, type LogicalStep } from './logical-job.js';

/** Everything a step of the logical move decides from, read fresh before every step. */
export interface LogicalState {
    namespace: string;
    flavor: Flavor;
    manifest: V5Cluster;
    v4Cluster: string;
    /** The v4 pgcluster: the move copies from it while it runs (null: gone). */
    v4: Pgcluster | null;
    cluster: V5Cluster | null;
    /** Names of the Secrets in the namespace (metadata only). */
    secrets: Set<string>;
    /** This move's Jobs, by step. */
    jobs: Partial<Record<LogicalStep, Job>>;
    /** The image the copy runs in: the manifest's, else the one the operator runs the database in. */
    image: string | null;
    preflight: RecordedPreflight | null;
}

export async function readLogicalState(client: KubeClient, flavor: Flavor, manifest: V5Cluster, v4Cluster: string, v4Served: boolean): Promise<LogicalState> {
    const namespace = manifest.metadata.namespace ?? '';
    const name = manifest.metadata.name;
    const [v4, cluster, secrets, jobs, sets, preflight] = await Promise.all([
        v4Served ? orAbsent(getPgcluster(client, namespace, v4Cluster)) : Promise.resolve(null),
        orAbsent(client.get<V5Cluster>(paths.v5Cluster(flavor, namespace, name))),
        client.list<KubeObject>(paths.secret(namespace), { metadataOnly: true }),
        client.list<Job>(paths.job(namespace), { labelSelector: `ivyo-upgrade.ivorysql.org/v4-cluster=${v4Cluster}` }),
        manifest.spec?.image ? Promise.resolve([]) : client.list<Deployment>(paths.statefulSets(namespace), { labelSelector: `${flavor.labelPrefix}cluster=${name}` }),
        orAbsent(client.get<KubeObject & { data?: Record<string, string> }>(paths.configMap(namespace, preflightName(v4Cluster)))),
    ]);
    const byStep: LogicalState['jobs'] = {};
    for (const step of ['copy', 'replicate', 'cutover', 'undo'] as const) {
        const job = jobs.find((j) => j.metadata.name === logicalJobName(name, step));
        if (job) byStep[step] = job;
    }
    // The operator runs PostgreSQL in the container "database" of each instance's StatefulSet (IVYO and PGO internal/naming/names.go ContainerDatabase).
    const running = sets.flatMap((s) => s.spec?.template?.spec?.containers ?? []).find((c) => c.name === 'database')?.image ?? null;
    return {
        namespace,
        flavor,
        manifest,
        v4Cluster,
        v4,
        cluster,
        secrets: new Set(secrets.map((s) => s.metadata.name)),
        jobs: byStep,
        image: manifest.spec?.image ?? running,
        preflight: preflight ? recordedPreflight([preflight], namespace, v4Cluster) : null,
    };
}

/** What `prepare --method logical` decides from: v4 as inspect reads it, the preflight Job, its answer, the record. */
export interface PreflightState {
    namespace: string;
    v4Cluster: string;
    /** null: the pgcluster is gone. */
    inspection: Inspection | null;
    job: Job | null;
    /** The preflight container's termination message, once it ran. */
    answer: string | null;
    recorded: RecordedPreflight | null;
}

export async function readPreflightState(client: KubeClient, namespace: string, v4Cluster: string, target: TargetChoice, v4Served: boolean): Promise<PreflightState> {
    const jobName = logicalJobName(v4Cluster, 'preflight');
    const [pgcluster, job, answer] = await Promise.all([
        v4Served ? orAbsent(getPgcluster(client, namespace, v4Cluster)) : Promise.resolve(null),
        orAbsent(client.get<Job>(paths.job(namespace, jobName))),
        logicalResult(client, namespace, jobName),
    ]);
    const inspection = pgcluster ? inspectCluster(await observe(client, { namespace, cluster: v4Cluster }, [pgcluster]), pgcluster, target) : null;
    return { namespace, v4Cluster, inspection, job, answer, recorded: inspection?.logical.preflight ?? null };
}

/**
 * What a finished Job of the logical move reported (the preflight's answer, replicate's tables synchronised and
 * lag, …): the termination message of its pod that succeeded, what its script wrote into RESULT_FILE; or null.
 */
export async function logicalResult(client: KubeClient, namespace: string, job: string): Promise<string | null> {
    const pods = await client.list<Pod>(paths.pods(namespace), { labelSelector: `job-name=${job}` });
    return (
        pods
            .flatMap((p) => p.status?.containerStatuses ?? [])
            .map((c) => c.state?.terminated)
            .find((t) => t?.exitCode === 0 && t.message)?.message ?? null
    );
}
