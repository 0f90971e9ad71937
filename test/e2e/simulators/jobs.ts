import type { KubeClient } from '../../../src/kube/client.js';
import { ApiError } from '../../../src/kube/errors.js';
import type { Job, KubeObject } from '../../../src/kube/types.js';

/**
 * Ends a Job the way its pod would have, had a kubelet run it. The v1.20 job controller writes its own
 * computed status over a Job it is syncing, so the status is written again until it sticks; once a Job is
 * finished the controller leaves it alone. Pods of a succeeded Job are removed; a failed Job keeps its pod.
 */
export async function finishJob(client: KubeClient, namespace: string, name: string, outcome: 'Complete' | 'Failed'): Promise<void> {
    const path = `/apis/batch/v1/namespaces/${namespace}/jobs/${name}`;
    // Someone (a test, a user's fix) may delete the Job meanwhile: then there is nothing left to finish.
    const gone = (e: unknown) => {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
    };
    for (let attempt = 0; attempt < 50; attempt++) {
        const now = new Date().toISOString();
        const condition = { type: outcome, status: 'True', lastProbeTime: now, lastTransitionTime: now, ...(outcome === 'Failed' ? { reason: 'BackoffLimitExceeded' } : {}) };
        const patched = await client
            .request('PATCH', `${path}/status`, {
                body: { status: { startTime: now, active: null, ...(outcome === 'Failed' ? { failed: 1 } : { succeeded: 1, completionTime: now }), conditions: [condition] } },
                contentType: 'application/merge-patch+json',
            })
            .catch(gone);
        if (patched === null) return;
        await new Promise((r) => setTimeout(r, 200));
        const job = await client.get<Job>(path).catch(gone);
        if (job === null) return;
        if (job.status?.conditions?.some((c) => c.type === outcome && c.status === 'True')) break;
    }
    if (outcome === 'Failed') return;
    const pods = await client.list<KubeObject>(`/api/v1/namespaces/${namespace}/pods`, { labelSelector: `job-name=${name}` });
    for (const pod of pods) {
        await client.request('DELETE', `/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}`, { query: { gracePeriodSeconds: '0' } }).catch((e: unknown) => {
            if (!(e instanceof ApiError && e.status === 404)) throw e;
        });
    }
}
