import type { KubeClient } from '../kube/client.js';
import { create, deleteObject, mergePatch, serverSideApply } from '../kube/writes.js';
import type { Pgcluster } from '../kube/types.js';
import type { TargetChoice } from '../v4/model.js';
import { readPrepareState, type PrepareState } from '../v4/prepare-state.js';
import { recordConfigMap, recordName } from '../v4/record.js';
import type { Procedure } from './execute.js';
import { describeAction, isWait, planPrepare, type PrepareAction, type PrepareOptions } from './prepare.js';

const V4_API = '/apis/crunchydata.com/v1';

/** `pgo scaledown --target` at the API level: the pgtask the v4 apiserver would create (facts §6.2). */
export function scaleDownTask(c: Pgcluster, replica: string, deleteData: boolean): Record<string, unknown> {
    const cluster = c.metadata.name;
    const tolerations = c.spec?.tolerations ?? [];
    return {
        apiVersion: 'crunchydata.com/v1',
        kind: 'Pgtask',
        metadata: { name: `${replica}-rmdata`, labels: { 'pg-cluster': cluster, pgrmdata: 'true' } },
        spec: {
            name: `${replica}-rmdata`,
            tasktype: 'delete-data',
            parameters: {
                'delete-data': String(deleteData),
                'delete-backups': 'false',
                'image-prefix': c.spec?.pgoimageprefix ?? '',
                'is-replica': 'true',
                'is-backup': 'false',
                'pg-cluster': cluster,
                'replica-name': replica,
                'crunchy-pgha-scope': cluster,
                'rmdata-tolerations': tolerations.length > 0 ? JSON.stringify(tolerations) : '',
            },
        },
    };
}

export function prepareVolumes(client: KubeClient, namespace: string, cluster: string, target: TargetChoice, options: PrepareOptions): Procedure<PrepareState, PrepareAction> {
    const ns = encodeURIComponent(namespace);
    const pgclusterPath = `${V4_API}/namespaces/${ns}/pgclusters/${encodeURIComponent(cluster)}`;
    return {
        title: `prepare v4 cluster ${cluster} in namespace ${namespace} for the data-volumes method`,
        observe: () => readPrepareState(client, namespace, cluster, target),
        plan: (s) => planPrepare(s, options),
        describe: describeAction,
        isWait,
        async execute(a, s, dryRun) {
            const o = { dryRun };
            switch (a.kind) {
                case 'retain-pv':
                    await mergePatch(client, `/api/v1/persistentvolumes/${encodeURIComponent(a.pv)}`, { spec: { persistentVolumeReclaimPolicy: 'Retain' } }, o);
                    return;
                case 'record':
                    await serverSideApply(client, `/api/v1/namespaces/${ns}/configmaps/${encodeURIComponent(recordName(cluster))}`, recordConfigMap(s.live!), { ...o, force: true });
                    return;
                case 'scale-down':
                    await create(client, `${V4_API}/namespaces/${ns}/pgtasks`, scaleDownTask(s.pgcluster!, a.deployment, a.deleteData), o);
                    return;
                case 'annotate-keep':
                    await mergePatch(client, pgclusterPath, { metadata: { annotations: { 'keep-data': 'true', 'keep-backups': 'true' } } }, o);
                    return;
                case 'delete-pgcluster': {
                    // In a real run the state was just read: the keep annotations must be on the object deleted.
                    // (A server dry run never persisted them; its delete is only validated.)
                    const notes = s.pgcluster?.metadata.annotations ?? {};
                    if (!dryRun && !('keep-data' in notes && 'keep-backups' in notes)) throw new Error('internal: delete planned before keep-data and keep-backups');
                    await deleteObject(client, pgclusterPath, { ...o, resourceVersion: s.pgcluster?.metadata.resourceVersion });
                    return;
                }
                case 'remove-v4-labels':
                    await mergePatch(client, `/api/v1/namespaces/${ns}/persistentvolumeclaims/${encodeURIComponent(a.pvc)}`, { metadata: { labels: Object.fromEntries(a.labels.map((l) => [l, null])) } }, o);
                    return;
                case 'wait-scale-down':
                case 'wait-rmdata':
                case 'wait-v4-cleanup':
                    return;
            }
        },
        onTimeout(a) {
            const operator = 'is the PGO v4 operator running and watching this namespace? Once it is, run prepare again: it continues where it stopped';
            switch (a.kind) {
                case 'wait-scale-down':
                    return `replica ${a.deployment} is still there although pgtask ${a.deployment}-rmdata exists (kubectl get pgtask ${a.deployment}-rmdata -n ${namespace} -o yaml); ${operator}`;
                case 'wait-rmdata':
                    return `rmdata Job ${a.jobs.join(', ')} has not finished (kubectl get jobs -l pgrmdata=true -n ${namespace}); ${operator}`;
                case 'wait-v4-cleanup':
                    return `the v4 operator has not finished deleting ${cluster}: ${a.remaining.join(', ')} remain; ${operator}`;
                default:
                    return operator;
            }
        },
    };
}
