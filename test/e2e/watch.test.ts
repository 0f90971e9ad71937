import { beforeAll, describe, expect, it } from 'vitest';
import { KubeClient, type ListOptions, type RequestOptions } from '../../src/kube/client.js';
import { ApiError } from '../../src/kube/errors.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { paths } from '../../src/kube/paths.js';
import type { WatchEvent } from '../../src/kube/watch.js';
import { adminClient, adminKubeconfig, createNamespace, mintUser } from '../support/kube.js';

/**
 * The real client, counting its requests and watches. With `goneFirstWatch`, its first watch gets the answer the
 * API server gives a watch from a resourceVersion older than it keeps (kube-apiserver's 410 Expired Status
 * event), which a test server cannot be made to give on demand: a mock of that one fault.
 */
class CountingClient extends KubeClient {
    requests: string[] = [];
    watches = 0;
    goneFirstWatch = false;
    override request<T>(method: string, path: string, opts?: RequestOptions): Promise<T> {
        this.requests.push(`${method} ${path}`);
        return super.request<T>(method, path, opts);
    }
    override watch(path: string, opts: ListOptions, resourceVersion: string, timeoutSeconds: number, onEvent: (e: WatchEvent) => void) {
        this.watches++;
        if (this.goneFirstWatch && this.watches === 1) {
            const object = {
                kind: 'Status',
                apiVersion: 'v1',
                metadata: {},
                status: 'Failure',
                message: `too old resource version: ${resourceVersion}`,
                reason: 'Expired',
                code: 410,
            };
            return { done: Promise.resolve().then(() => onEvent({ type: 'ERROR', object: object as unknown as WatchEvent['object'] })), abort: () => undefined };
        }
        return super.watch(path, opts, resourceVersion, timeoutSeconds, onEvent);
    }
}

function client(kubeconfig = adminKubeconfig()): CountingClient {
    const cfg = loadKubeconfig({ kubeconfig, env: {} });
    return new CountingClient(cfg.kc, cfg.server, 30_000, cfg.contextName);
}

const admin = adminClient();
const configMap = (ns: string, name: string, data: Record<string, string> = {}) =>
    admin.request('POST', paths.configMap(ns), { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'w' } }, data } });

let ns: string;
beforeAll(async () => {
    ns = await createNamespace('watch');
    for (const name of ['b', 'a', 'c']) await configMap(ns, name, { k: name });
    await admin.request('POST', paths.secret(ns), { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'x' } } });
});

/** The reads a wait makes, read the same way whether from the server or from the watches. */
const readAll = (c: KubeClient, namespace: string) =>
    Promise.all([
        c.list(paths.configMap(namespace), { labelSelector: 'app=w' }),
        c.list(paths.secret(namespace), { metadataOnly: true }),
        c.get(paths.configMap(namespace, 'a')),
        c.get(paths.configMap(namespace, 'absent')).catch((e: unknown) => (e instanceof ApiError ? `${e.status} ${e.message}` : e)),
    ]);

describe('reads through watches while a wait lasts (KubeClient.watchReads)', () => {
    it('answers lists and gets as the server does, then from the watches alone, and sees each change', async () => {
        const c = client();
        const fromServer = await readAll(c, ns);
        const reads = c.watchReads();
        try {
            expect(await readAll(c, ns)).toEqual(fromServer);
            const sent = c.requests.length;
            expect(await readAll(c, ns)).toEqual(fromServer);
            expect(c.requests.length).toBe(sent);
            expect(reads.serverReads()).toBe(0);

            // A change wakes the wait (the test's timeout would end a wait for the 60 s fallback) and shows in the reads.
            const woken = reads.next(60_000);
            await configMap(ns, 'absent', { k: 'now' });
            await woken;
            await expect(c.get(paths.configMap(ns, 'absent'))).resolves.toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', data: { k: 'now' } });
            await admin.request('DELETE', paths.configMap(ns, 'b'));
            // Each watch that saw the new ConfigMap wakes the wait once: read until the deletion shows.
            const names = async () => (await c.list<{ metadata: { name: string } }>(paths.configMap(ns), { labelSelector: 'app=w' })).map((o) => o.metadata.name);
            while ((await names()).includes('b')) await reads.next(60_000);
            expect(await names()).toEqual(['a', 'absent', 'c']);
            expect(c.requests.length).toBe(sent);
        } finally {
            reads.close();
        }
        // Closed: the client reads from the server again.
        const before = c.requests.length;
        await c.get(paths.configMap(ns, 'a'));
        expect(c.requests.length).toBe(before + 1);
    });

    it('lists again when the server answers a watch 410 Gone (its resourceVersion too old)', async () => {
        const c = client();
        c.goneFirstWatch = true;
        const reads = c.watchReads();
        try {
            await c.list(paths.configMap(ns), { labelSelector: 'app=w' });
            const lists = () => c.requests.filter((r) => r.startsWith('GET /api/v1/namespaces/')).length;
            // The list the reads started with, and the one after the 410.
            while (lists() < 2) await reads.next(60_000);
            await configMap(ns, 'after-gone');
            const names = async () => (await c.list<{ metadata: { name: string } }>(paths.configMap(ns), { labelSelector: 'app=w' })).map((o) => o.metadata.name);
            while (!(await names()).includes('after-gone')) await reads.next(60_000);
            expect(c.watches).toBe(2);
        } finally {
            reads.close();
        }
    });

    it('reads from the server, and says so, what it may list but not watch', async () => {
        const c = client(await mintUser(ns, 'no-watch', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }]));
        const fromServer = await c.list(paths.configMap(ns), { labelSelector: 'app=w' });
        const reads = c.watchReads();
        try {
            await c.list(paths.configMap(ns), { labelSelector: 'app=w' });
            await reads.next(60_000);
            expect(await c.list(paths.configMap(ns), { labelSelector: 'app=w' })).toEqual(fromServer);
            expect(reads.serverReads()).toBeGreaterThan(0);
        } finally {
            reads.close();
        }
    });
});
