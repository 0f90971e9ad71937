import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/kube/client.js';
import { ConnectionError } from '../../src/kube/errors.js';
import { explainKubeError } from '../../src/kube/errors.js';
import { insecureKubeconfig } from '../support/insecure-kubeconfig.js';

/** A server that accepts TCP connections and then says nothing: no TLS handshake ever completes. */
let silent: net.Server;
let port = 0;
const sockets: net.Socket[] = [];
beforeAll(async () => {
    silent = net.createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    port = (silent.address() as net.AddressInfo).port;
});
afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
});

describe('a connection that never completes', () => {
    it('ends after the connect timeout even when the request timeout is 0 (none), and says so', async () => {
        const cfg = insecureKubeconfig(`https://127.0.0.1:${port}`);
        const client = new KubeClient(cfg.kc, cfg.server, 0, cfg.contextName, { connectTimeoutMs: 300 });
        const started = Date.now();
        const err = await client.get('/apis').catch((e: unknown) => e);
        expect(Date.now() - started).toBeLessThan(3000);
        expect(err).toBeInstanceOf(ConnectionError);
        expect(explainKubeError(err)?.message).toBe(
            `the server https://127.0.0.1:${port} did not complete a connection (no connection within 0.3s): check the address in context "x", the network and any proxy`,
        );
    });
});
