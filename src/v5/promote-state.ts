import type { KubeClient } from '../kube/client.js';
import { orAbsent } from '../kube/errors.js';
import { firstLine } from '../errors.js';
import { paths } from '../kube/paths.js';
import type { Deployment, KubeObject, Pgcluster } from '../kube/types.js';
import type { Flavor } from '../targets/flavors.js';
import { V4 } from '../v4/names.js';
import type { V5Cluster } from './cluster.js';
import { archiveMax, REPLICATION_ROLE_CHECK, replayProof, type ReplayProof } from './replay.js';
import { parseIni } from './carry-common.js';

/** Everything `promote` decides from, read fresh before every step. */
export interface PromoteState {
    namespace: string;
    flavor: Flavor;
    v4Cluster: string;
    v5Name: string;
    pgcluster: Pgcluster | null;
    /** v4's Deployments (the database's, pgBackRest's, pgBouncer's): ShutdownCluster scales every one to 0. */
    v4Deployments: Deployment[];
    /** v4's PostgreSQL pods still there (a pod being deleted counts: its PostgreSQL may still be stopping). */
    v4Pods: string[];
    cluster: V5Cluster | null;
    /** Names of the Secrets in the namespace (metadata only). */
    secrets: Set<string>;
    /** Once v4 is down and v5 still a standby: whether it replayed v4's last archived WAL, or why that could not be read. */
    replay: { proof: ReplayProof } | { unreadable: string } | null;
    /** Where v4's own pgBackRest configuration turns on archive-async (its spool, which the replay proof cannot see), or null. */
    archiveAsync: string | null;
    /** Once promoted: whether its primary holds the replication role the operator expects, in which pod; or why not known. */
    role: { ready: boolean; pod: string } | { waiting: string } | { unreadable: string } | null;
}

/**
 * v4's own pgBackRest configuration (the ConfigMap `<c>-config-backrest`, projected into /etc/pgbackrest/conf.d:
 * v4.7.9 internal/operator/pgbackrest.go) setting `archive-async`: then archive_command returns once a segment is
 * in the spool on v4's volume, and one still there when v4 stops never reaches the repository the proof reads.
 */
function asyncIn(cm: (KubeObject & { data?: Record<string, string> }) | null): string | null {
    for (const [file, text] of Object.entries(cm?.data ?? {})) {
        for (const [section, options] of Object.entries(parseIni(text))) {
            const v = options['archive-async'];
            if (v !== undefined && !['n', 'no', 'false', '0'].includes(v.toLowerCase())) return `ConfigMap ${cm?.metadata.name} ${file} [${section}] archive-async=${v}`;
        }
    }
    return null;
}

/** The stanza PGO v5 names its repositories' (v5.8.9 internal/pgbackrest/config.go DefaultStanzaName), as v4 did. */
const STANZA = 'db';
/** How long one psql or pgbackrest run in a pod may take. */
export const EXEC_TIMEOUT_MS = 30_000;

/**
 * What of v4 still runs, each named; none once ShutdownCluster is done (v4.7.9 internal/operator/cluster/clusterlogic.go):
 * the state `pgcluster Shutdown`, every Deployment at 0, no PostgreSQL pod left (one being deleted may still be stopping).
 */
export function v4Remaining(pgcluster: Pgcluster | null, deployments: Deployment[], pods: string[]): string[] {
    return [
        ...(pgcluster?.status?.state === V4.shutdownState ? [] : [`pgcluster state "${pgcluster?.status?.state ?? 'none'}"`]),
        ...deployments.filter((d) => (d.spec?.replicas ?? 1) > 0).map((d) => `deployment ${d.metadata.name}`),
        ...pods.map((p) => `pod ${p}`),
    ];
}

/** The promoted cluster's primary (Patroni's status annotation `"role":"master"` or `"primary"`, PGO v5.8.9 PodIsPrimary), and whether the role is there. */
async function readRole(client: KubeClient, flavor: Flavor, namespace: string, v5Name: string): Promise<PromoteState['role']> {
    const pods = await client.list<KubeObject>(paths.pods(namespace), { labelSelector: `${flavor.labelPrefix}cluster=${v5Name}`, metadataOnly: true });
    if (pods.length === 0) return { unreadable: `no pod of ${v5Name} runs` };
    const status = (p: KubeObject) => p.metadata.annotations?.status ?? '';
    const primary = pods.find((p) => status(p).includes('"role":"master"') || status(p).includes('"role":"primary"'));
    if (!primary) return { waiting: `no pod of ${v5Name} is its primary yet` };
    try {
        const answer = (await client.exec(namespace, primary.metadata.name, 'database', ['psql', '-XAtc', REPLICATION_ROLE_CHECK(flavor.replicationUser)], EXEC_TIMEOUT_MS)).trim();
        return { ready: answer === 't', pod: primary.metadata.name };
    } catch (e) {
        return { unreadable: `exec in pod ${primary.metadata.name} answered: ${firstLine(e)}` };
    }
}

/**
 * The standby leader's replay position and v4's newest archived segment, read in its pod (the pod whose Patroni
 * status annotation says `"role":"standby_leader"`, PGO v5.8.9 internal/patroni/reconcile.go PodIsStandbyLeader):
 * `pg_last_wal_replay_lsn()` and the segment size with psql, the archive with `pgbackrest info` (its repo1 is v4's).
 */
export async function readReplay(client: KubeClient, flavor: Flavor, namespace: string, v5Name: string): Promise<{ proof: ReplayProof } | { unreadable: string }> {
    const pods = await client.list<KubeObject>(paths.pods(namespace), { labelSelector: `${flavor.labelPrefix}cluster=${v5Name}`, metadataOnly: true });
    const leader = pods.find((p) => (p.metadata.annotations?.status ?? '').includes('"role":"standby_leader"'));
    if (!leader) return { unreadable: `no pod of ${v5Name} is its standby leader (annotation status "role":"standby_leader")` };
    const pod = leader.metadata.name;
    try {
        const sql = "SELECT pg_last_wal_replay_lsn(), (SELECT setting FROM pg_settings WHERE name = 'wal_segment_size')";
        const [replayed = '', size = ''] = (await client.exec(namespace, pod, 'database', ['psql', '-XAtc', sql], EXEC_TIMEOUT_MS)).trim().split('|');
        const info = await client.exec(namespace, pod, 'database', ['pgbackrest', 'info', '--output', 'json', `--stanza=${STANZA}`], EXEC_TIMEOUT_MS);
        const newest = archiveMax(info, STANZA);
        if (!newest) return { unreadable: `pgbackrest info in pod ${pod} shows no archived WAL of stanza ${STANZA}` };
        const proof = replayProof(replayed, size, newest);
        return proof ? { proof } : { unreadable: `pod ${pod} answered a replay position "${replayed}" and segment size "${size}" that are not what PostgreSQL prints` };
    } catch (e) {
        return { unreadable: `exec in pod ${pod} answered: ${firstLine(e)}` };
    }
}

export async function readPromoteState(client: KubeClient, flavor: Flavor, namespace: string, v4Cluster: string, v5Name: string): Promise<PromoteState> {
    const selector = `${V4.label.cluster}=${v4Cluster}`;
    const [pgcluster, deployments, pods, cluster, secrets, backrestConfig] = await Promise.all([
        orAbsent(client.get<Pgcluster>(paths.pgcluster(namespace, v4Cluster))),
        client.list<Deployment>(paths.deployments(namespace), { labelSelector: selector }),
        client.list<KubeObject>(paths.pods(namespace), { labelSelector: `${selector},${V4.label.database}=true`, metadataOnly: true }),
        orAbsent(client.get<V5Cluster>(paths.v5Cluster(flavor, namespace, v5Name))),
        client.list<KubeObject>(paths.secret(namespace), { metadataOnly: true }),
        orAbsent(client.get<KubeObject & { data?: Record<string, string> }>(paths.configMap(namespace, `${v4Cluster}-config-backrest`))),
    ]);
    const podNames = pods.map((p) => p.metadata.name);
    const v4Down = v4Remaining(pgcluster, deployments, podNames).length === 0;
    return {
        namespace,
        flavor,
        v4Cluster,
        v5Name,
        pgcluster,
        v4Deployments: deployments,
        v4Pods: podNames,
        cluster,
        secrets: new Set(secrets.map((s) => s.metadata.name)),
        replay: v4Down && cluster?.spec?.standby?.enabled === true ? await readReplay(client, flavor, namespace, v5Name) : null,
        role: cluster?.spec?.standby?.enabled === false ? await readRole(client, flavor, namespace, v5Name) : null,
        archiveAsync: asyncIn(backrestConfig),
    };
}
