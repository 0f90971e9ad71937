import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/kube/client.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { paths } from '../../src/kube/paths.js';
import { ADMIN_TOKEN, writeKubeconfig } from '../../scripts/test-cluster.js';
import type { KubeObject } from '../../src/kube/types.js';
import { adminClient, adminCluster, createNamespace } from '../support/kube.js';

// A TCP relay in front of the API server that counts the connections made through it (TLS goes through it
// untouched), and cuts them when told, as a network that drops a connection does.
let relay: net.Server;
let connections = 0;
let refuse = false;
const open = new Set<net.Socket>();
const cutAll = () => open.forEach((s) => s.destroy());
let kubeconfig: string;
beforeAll(async () => {
    const upstream = new URL(adminCluster().server);
    relay = net.createServer((socket) => {
        connections++;
        if (refuse) return socket.destroy();
        open.add(socket);
        socket.on('close', () => open.delete(socket));
        const out = net.connect(Number(upstream.port), upstream.hostname);
        socket.pipe(out).pipe(socket);
        const end = () => {
            socket.destroy();
            out.destroy();
        };
        socket.on('error', end).on('close', end);
        out.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const { port } = relay.address() as net.AddressInfo;
    kubeconfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'relay-')), 'kubeconfig');
    writeKubeconfig(kubeconfig, `https://127.0.0.1:${port}`, adminCluster().ca, 'admin', ADMIN_TOKEN);
});
afterAll(() => relay.close());

const relayed = () => {
    const cfg = loadKubeconfig({ kubeconfig, env: {} });
    return new KubeClient(cfg.kc, cfg.server, 30_000, cfg.contextName);
};

describe('connections', () => {
    it("sends one request after another over one connection, not a TLS handshake each (client-node's agent per request)", async () => {
        const client = relayed();
        const before = connections;
        for (let i = 0; i < 5; i++) await client.list(paths.namespaces());
        await client.get('/apis');
        expect(connections - before).toBe(1);
    });

    it('a watch cut off goes on from where it was; one that cannot reconnect is dropped, and the next read fails as a read fails', async () => {
        const ns = await createNamespace('cut');
        const client = relayed();
        const reads = client.watchReads();
        const names = async () => (await client.list<KubeObject>(paths.configMap(ns))).map((o) => o.metadata.name).filter((n) => n.startsWith('after'));
        try {
            expect(await names()).toEqual([]);
            cutAll();
            await adminClient().request('POST', paths.configMap(ns), { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-cut' } } });
            while ((await names()).length === 0) await reads.next(60_000);
            expect(await names()).toEqual(['after-cut']);

            refuse = true;
            cutAll();
            // Four reconnections in a row fail (0.5 s, 1 s, 2 s, 4 s apart), then the collection is dropped.
            await expect(
                (async () => {
                    for (;;) {
                        await names();
                        await reads.next(60_000);
                    }
                })(),
            ).rejects.toMatchObject({ name: 'ConnectionError' });
        } finally {
            refuse = false;
            reads.close();
        }
    }, 30_000);
});
