import { UserError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { orAbsent } from '../kube/errors.js';
import { paths } from '../kube/paths.js';
import type { KubeObject } from '../kube/types.js';
import type { V4Capture } from './capture.js';
import type { Inspection } from './inspection.js';
import { logicalName } from '../targets/names.js';

/**
 * The v4 rmdata Job deletes the deployments, pods and ConfigMaps that name the primary PVC and its PGDATA
 * directory (docs/upstream-facts.md "v4 delete"). So `prepare` records the inspection, before it deletes anything, in
 * a ConfigMap no v4 cleanup selects, and `generate` reads it once the pgcluster is gone. No secret in it.
 */
export const RECORD_KEY = 'inspection.json';
/** The method prepare was run for, so that inspect can say what comes next once v4 is gone. */
export const METHOD_KEY = 'method';
/** v4's configuration, captured before anything is deleted (see capture.ts); absent from records made before captures. */
export const CAPTURE_KEY = 'capture.json';
/**
 * The record's format. 1: the first (no key of its own); 2: adds cluster.standby, repository.typesFrom and
 * repo1TypeEnv, replicas[].podsWanted and volumes[].controller; 3: adds logical. A newer or unknown one is refused.
 */
export const SCHEMA_KEY = 'schema';
export const RECORD_SCHEMA = 3;
export const recordName = (cluster: string) => `${cluster}-ivyo-upgrade`;

export function recordConfigMap(i: Inspection, method: string, capture: V4Capture | null): KubeObject & { data: Record<string, string> } {
    return {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
            name: recordName(i.cluster.name),
            namespace: i.cluster.namespace,
            labels: { 'app.kubernetes.io/managed-by': 'kubectl-ivyo-upgrade' },
        },
        data: {
            [RECORD_KEY]: JSON.stringify(i, null, 2),
            [METHOD_KEY]: method,
            [SCHEMA_KEY]: String(RECORD_SCHEMA),
            ...(capture ? { [CAPTURE_KEY]: JSON.stringify(capture, null, 2) } : {}),
        },
    };
}

export async function readRecord(client: KubeClient, namespace: string, cluster: string): Promise<Inspection | null> {
    return (await readPrepared(client, namespace, cluster))?.inspection ?? null;
}

/** The record with the method prepare was run for (null: an older record that did not say) and v4's captured configuration. */
export async function readPrepared(
    client: KubeClient,
    namespace: string,
    cluster: string,
): Promise<{ inspection: Inspection; method: string | null; capture: V4Capture | null } | null> {
    const cm = await orAbsent(client.get<{ data?: Record<string, string> }>(paths.configMap(namespace, recordName(cluster))));
    const text = cm?.data?.[RECORD_KEY];
    if (!cm || !text) return null;
    let capture: V4Capture | null;
    try {
        capture = parseCapture(cm.data?.[CAPTURE_KEY]);
    } catch {
        throw new UserError(
            `ConfigMap ${recordName(cluster)} in namespace ${namespace} holds a damaged ${CAPTURE_KEY} (v4's configuration, captured before the delete): restore it from your own copy ("kubectl get configmap ${recordName(cluster)} -n ${namespace} -o yaml"); the tool does not guess at it`,
        );
    }
    return { inspection: parseRecord(text, cm.data?.[SCHEMA_KEY], namespace, cluster), method: cm.data?.[METHOD_KEY] ?? null, capture };
}

/** The capture as the record holds it, or null for a record made before captures; a damaged one throws. */
function parseCapture(text: string | undefined): V4Capture | null {
    if (text === undefined) return null;
    const c = JSON.parse(text) as Partial<V4Capture> | null;
    if (!c || typeof c.capturedAt !== 'string' || !Array.isArray(c.configMaps) || !Array.isArray(c.secrets) || !c.pgcluster) throw new Error('not a capture');
    return c as V4Capture;
}

/** The recorded inspection in today's shape; a record of an unknown or newer format is refused, not guessed at. */
export function parseRecord(text: string, schema: string | undefined, namespace: string, cluster: string): Inspection {
    const version = schema === undefined ? 1 : Number(schema);
    if (!Number.isInteger(version) || version < 1 || version > RECORD_SCHEMA) {
        throw new UserError(
            `ConfigMap ${recordName(cluster)} in namespace ${namespace} holds a record of format "${schema}", which this version of kubectl-ivyo-upgrade (format ${RECORD_SCHEMA}) does not know: use the version that wrote it`,
        );
    }
    let i: Inspection;
    try {
        i = JSON.parse(text) as Inspection;
    } catch {
        throw new UserError(
            `ConfigMap ${recordName(cluster)} in namespace ${namespace} holds a damaged ${RECORD_KEY} (the v4 cluster as prepare found it): restore it from your own copy ("kubectl get configmap ${recordName(cluster)} -n ${namespace} -o yaml"); the tool does not guess at it`,
        );
    }
    if (version === 3) return i;
    // Formats 1 and 2 lacked the logical move: its names are judged again where it matters (generate), its preflight was never read.
    const withLogical = { ...i, logical: { name: logicalName(cluster), collisions: [], preflight: null } };
    if (version === 2) return withLogical;
    // Format 1 lacked these; what it recorded was judged without them.
    return {
        ...withLogical,
        cluster: { ...i.cluster, standby: false },
        replicas: i.replicas.map((r) => ({ ...r, podsWanted: null })),
        repository: { ...i.repository, typesFrom: 'spec', repo1TypeEnv: null },
        volumes: i.volumes.map((v) => ({ ...v, controller: null })),
    };
}
