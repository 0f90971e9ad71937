import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/kube/client.js';
import { ApiError } from '../../src/kube/errors.js';
import { insecureKubeconfig } from '../support/insecure-kubeconfig.js';

/**
 * Faults a real API server shows only under load or mid-upgrade, on demand: each path answers from a script, one
 * step per request (`reset` ends the connection without an answer); the requests are counted.
 */
const scripts: Record<string, (number | 'reset' | { status: number; retryAfter: number })[]> = {
    '/api/v1/namespaces/a/pods': [429, 200],
    '/api/v1/namespaces/b/pods': [{ status: 429, retryAfter: 1 }, 200],
    '/api/v1/namespaces/c/pods': [503, 502, 200],
    '/api/v1/namespaces/d/pods': [500, 500, 500, 500, 200],
    '/api/v1/namespaces/e/pods': ['reset', 200],
    '/api/v1/namespaces/f/configmaps': [503, 201],
    '/api/v1/namespaces/g/pods': [403, 200],
};
const seen: Record<string, number> = {};
let server: http.Server;
let client: KubeClient;
beforeAll(async () => {
    server = http.createServer((req, res) => {
        const path = (req.url ?? '').split('?')[0] ?? '';
        const n = (seen[path] = (seen[path] ?? 0) + 1);
        const step = scripts[path]?.[n - 1] ?? 404;
        if (step === 'reset') {
            req.socket.destroy();
            return;
        }
        const status = typeof step === 'number' ? step : step.status;
        if (typeof step === 'object') res.setHeader('Retry-After', String(step.retryAfter));
        res.statusCode = status;
        res.setHeader('Content-Type', 'application/json');
        res.end(status < 300 ? JSON.stringify({ kind: 'List', items: [], metadata: {} }) : JSON.stringify({ kind: 'Status', code: status, message: `scripted ${status}` }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const cfg = insecureKubeconfig(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
    client = new KubeClient(cfg.kc, cfg.server, 5000, cfg.contextName);
});
afterAll(async () => {
    await new Promise((r) => server.close(r));
});

describe('reads retry transient faults; writes never', () => {
    it('a 429, a 503 and a 502, a connection reset: the read is sent again and succeeds', async () => {
        for (const ns of ['a', 'c', 'e']) expect(await client.list(`/api/v1/namespaces/${ns}/pods`)).toEqual([]);
        expect([seen['/api/v1/namespaces/a/pods'], seen['/api/v1/namespaces/c/pods'], seen['/api/v1/namespaces/e/pods']]).toEqual([2, 3, 2]);
    });

    it("waits as long as the server's Retry-After says", async () => {
        const started = Date.now();
        await client.list('/api/v1/namespaces/b/pods');
        expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
        expect(seen['/api/v1/namespaces/b/pods']).toBe(2);
    });

    it('gives up after four attempts, with the last answer', async () => {
        await expect(client.list('/api/v1/namespaces/d/pods')).rejects.toMatchObject({ status: 500, message: 'scripted 500' });
        expect(seen['/api/v1/namespaces/d/pods']).toBe(4);
    });

    it('never sends a write again, and never a read the server refused for good', async () => {
        await expect(client.request('POST', '/api/v1/namespaces/f/configmaps', { body: {} })).rejects.toBeInstanceOf(ApiError);
        expect(seen['/api/v1/namespaces/f/configmaps']).toBe(1);
        await expect(client.list('/api/v1/namespaces/g/pods')).rejects.toMatchObject({ status: 403 });
        expect(seen['/api/v1/namespaces/g/pods']).toBe(1);
    });
});
