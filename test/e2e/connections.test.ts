import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/kube/client.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { paths } from '../../src/kube/paths.js';
import { ADMIN_TOKEN, writeKubeconfig } from '../../scripts/test-cluster.js';
import { adminCluster } from '../support/kube.js';

// A TCP relay in front of the API server that counts the connections made through it (TLS goes through it untouched).
let relay: net.Server;
let connections = 0;
let kubeconfig: string;
beforeAll(async () => {
    const upstream = new URL(adminCluster().server);
    relay = net.createServer((socket) => {
        connections++;
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

describe('connections', () => {
    it("sends one request after another over one connection, not a TLS handshake each (client-node's agent per request)", async () => {
        const cfg = loadKubeconfig({ kubeconfig, env: {} });
        const client = new KubeClient(cfg.kc, cfg.server, 30_000, cfg.contextName);
        const before = connections;
        for (let i = 0; i < 5; i++) await client.list(paths.namespaces());
        await client.get('/apis');
        expect(connections - before).toBe(1);
    });
});
