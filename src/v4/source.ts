import { UserError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { orAbsent } from '../kube/errors.js';
import { paths } from '../kube/paths.js';
import type { KubeObject } from '../kube/types.js';
import type { Inspection } from './inspection.js';
import type { TargetChoice } from '../targets/choice.js';
import { collisionsFor, inspectCluster, retarget } from './model.js';
import { getPgcluster, observe } from './observe.js';
import { readCapture, type V4Capture } from './capture.js';
import { readPrepared, recordName } from './record.js';

export interface Source {
    inspection: Inspection;
    /** True when read from the live pgcluster; false when from prepare's record. */
    live: boolean;
    /** v4's configuration: read live, or captured by prepare (null: a record made before captures, or not read for --no-carry). */
    capture: V4Capture | null;
}

/**
 * The v4 cluster to generate from: the live pgcluster while it exists, else the record prepare left.
 * Collisions are judged for the v5 name, which `--name` may change.
 */
export async function readSource(
    client: KubeClient,
    namespace: string,
    cluster: string,
    target: TargetChoice,
    v5Name: string,
    v4Served: boolean,
    /** false: the live configuration is not read (--no-carry); the record's comes with it anyway. */
    withCapture = true,
): Promise<Source> {
    if (v4Served) {
        const pgcluster = await orAbsent(getPgcluster(client, namespace, cluster));
        if (pgcluster) {
            const snapshot = await observe(client, { namespace, cluster }, [pgcluster]);
            const inspection = inspectCluster(snapshot, pgcluster, target);
            const capture = withCapture ? await readCapture(client, pgcluster, snapshot.pgreplicas) : null;
            if (v5Name === cluster) return { inspection, live: true, capture };
            return { inspection: retarget(inspection, target, await liveCollisions(client, namespace, v5Name)), live: true, capture };
        }
    }
    const prepared = await readPrepared(client, namespace, cluster);
    if (!prepared) {
        const v4 = v4Served
            ? `pgcluster "${cluster}" not found in namespace "${namespace}"`
            : `the server does not serve pgclusters.crunchydata.com/v1 (the PGO v4 CRDs are not installed)`;
        throw new UserError(`${v4}, and no record of "${cluster}" (ConfigMap ${recordName(cluster)}) from "kubectl ivyo-upgrade prepare": check the name, -n and the context`);
    }
    return { inspection: retarget(prepared.inspection, target, await liveCollisions(client, namespace, v5Name)), live: false, capture: prepared.capture };
}

export async function liveCollisions(client: KubeClient, namespace: string, name: string): Promise<Inspection['target']['collisions']> {
    const list = (path: string) => client.list<KubeObject>(path, { metadataOnly: true });
    const [ConfigMap, Service, Deployment, Secret] = await Promise.all([
        list(paths.configMap(namespace)),
        list(paths.services(namespace)),
        list(paths.deployments(namespace)),
        list(paths.secret(namespace)),
    ]);
    return collisionsFor(name, { ConfigMap, Service, Deployment, Secret });
}
