import type { KubeClient } from '../kube/client.js';
import { orAbsent } from '../kube/errors.js';
import type { KubeObject } from '../kube/types.js';
import type { Inspection } from './inspection.js';

/**
 * The v4 rmdata Job deletes the deployments, pods and ConfigMaps that name the primary PVC and its PGDATA
 * directory (docs/upstream-facts.md "v4 delete"). So `prepare` records the inspection, before it deletes anything, in
 * a ConfigMap no v4 cleanup selects, and `generate` reads it once the pgcluster is gone. No secret in it.
 */
export const RECORD_KEY = 'inspection.json';
/** The method prepare was run for, so that inspect can say what comes next once v4 is gone. */
export const METHOD_KEY = 'method';
export const recordName = (cluster: string) => `${cluster}-ivyo-upgrade`;

export function recordConfigMap(i: Inspection, method: string): KubeObject & { data: Record<string, string> } {
    return {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
            name: recordName(i.cluster.name),
            namespace: i.cluster.namespace,
            labels: { 'app.kubernetes.io/managed-by': 'kubectl-ivyo-upgrade' },
        },
        data: { [RECORD_KEY]: JSON.stringify(i, null, 2), [METHOD_KEY]: method },
    };
}

export async function readRecord(client: KubeClient, namespace: string, cluster: string): Promise<Inspection | null> {
    return (await readPrepared(client, namespace, cluster))?.inspection ?? null;
}

/** The record with the method prepare was run for (null: an older record that did not say). */
export async function readPrepared(client: KubeClient, namespace: string, cluster: string): Promise<{ inspection: Inspection; method: string | null } | null> {
    const cm = await orAbsent(client.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps/${encodeURIComponent(recordName(cluster))}`));
    const text = cm?.data?.[RECORD_KEY];
    return text ? { inspection: JSON.parse(text) as Inspection, method: cm?.data?.[METHOD_KEY] ?? null } : null;
}
