import { beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, type RequestOptions } from '../../src/kube/client.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { observe } from '../../src/v4/observe.js';
import { v4Cluster } from '../fixtures/v4/cluster.js';
import { adminKubeconfig, createNamespace, createObjects } from '../support/kube.js';

/**
 * The real client, counting the reads it sends: a list's further pages (a `continue` token: the shared test cluster
 * holds what every test before left, PVs by the hundred) are the same read.
 */
class CountingClient extends KubeClient {
    paths: string[] = [];
    /** Every request, further pages included. */
    pages: string[] = [];
    override request<T>(method: string, path: string, opts?: RequestOptions): Promise<T> {
        if (opts?.query?.continue === undefined) this.paths.push(`${method} ${path}`);
        this.pages.push(`${method} ${path}`);
        return super.request<T>(method, path, opts);
    }
}

function countingClient(): CountingClient {
    const cfg = loadKubeconfig({ kubeconfig: adminKubeconfig(), env: {} });
    return new CountingClient(cfg.kc, cfg.server, 30_000, cfg.contextName);
}

let one: string;
let three: string;
beforeAll(async () => {
    one = await createNamespace('calls-one');
    three = await createNamespace('calls-three');
    await createObjects(v4Cluster({ namespace: one, name: 'solo' }));
    for (const name of ['alpha', 'beta', 'gamma']) await createObjects(v4Cluster({ namespace: three, name, replicas: [`${name}-abcd`] }));
});

describe('observe', () => {
    it('reads a namespace of three clusters with as many requests as a namespace of one', async () => {
        const a = countingClient();
        const b = countingClient();
        const [snapOne, snapThree] = await Promise.all([observe(a, { namespace: one }), observe(b, { namespace: three })]);
        expect(snapOne.pgclusters.map((c) => c.metadata.name)).toEqual(['solo']);
        expect(snapThree.pgclusters.map((c) => c.metadata.name).sort()).toEqual(['alpha', 'beta', 'gamma']);
        expect(b.paths.length).toBe(a.paths.length);
        expect(a.paths.length, a.paths.join('\n')).toBe(11);
    });

    it('reads every namespace with the same eleven requests', async () => {
        const c = countingClient();
        const snap = await observe(c, { namespace: null });
        expect(snap.pgclusters.length).toBeGreaterThanOrEqual(4);
        expect(c.paths.length, c.paths.join('\n')).toBe(11);
        expect(c.paths.every((p) => !p.includes('/namespaces/'))).toBe(true);
    });
});

describe('observe one cluster', () => {
    it('reads the PVs its claims name, by name, and no list of every PV of the Kubernetes cluster', async () => {
        const c = countingClient();
        const snap = await observe(c, { namespace: three, cluster: 'alpha' });
        const pvGets = c.paths.filter((p) => p.startsWith('GET /api/v1/persistentvolumes'));
        expect(pvGets.every((p) => /^GET \/api\/v1\/persistentvolumes\/pv-/.test(p))).toBe(true);
        const alphaClaims = snap.pvcs
            .filter((p) => p.metadata.name.startsWith('alpha'))
            .map((p) => p.spec?.volumeName)
            .sort();
        expect(snap.pvs.map((p) => p.metadata.name).sort()).toEqual(alphaClaims);
        expect(pvGets).toHaveLength(alphaClaims.length);
        // beta's and gamma's volumes are not read.
        expect(snap.pvs.some((p) => /beta|gamma/.test(p.metadata.name))).toBe(false);
    });
});

describe('KubeClient.list', () => {
    it('follows continue tokens: 501 objects come back whole, in two pages of at most 500', async () => {
        const ns = await createNamespace('paging');
        const admin = countingClient();
        for (let start = 0; start < 501; start += 50) {
            await Promise.all(
                Array.from({ length: Math.min(50, 501 - start) }, (_, k) =>
                    admin.request('POST', `/api/v1/namespaces/${ns}/configmaps`, {
                        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${start + k}`, labels: { paging: 'yes' } } },
                    }),
                ),
            );
        }
        const c = countingClient();
        const items = await c.list<{ metadata: { name: string } }>(`/api/v1/namespaces/${ns}/configmaps`, { labelSelector: 'paging=yes', metadataOnly: true });
        expect(new Set(items.map((i) => i.metadata.name)).size).toBe(501);
        expect(c.pages).toEqual([`GET /api/v1/namespaces/${ns}/configmaps`, `GET /api/v1/namespaces/${ns}/configmaps`]);
        expect(c.paths).toHaveLength(1);
    });
});
