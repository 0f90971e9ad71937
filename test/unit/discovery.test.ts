import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/kube/client.js';
import { discover } from '../../src/kube/discovery.js';
import { insecureKubeconfig } from '../support/insecure-kubeconfig.js';

/**
 * A fault the test API server shows only by chance: a CRD just deleted, whose group /apis still lists while its
 * version already answers 404 (the aggregated discovery lags). This stand-in answers that way every time, and
 * counts what it is asked.
 */
const asked: string[] = [];
let server: http.Server;
let port = 0;
beforeAll(async () => {
    server = http.createServer((req, res) => {
        asked.push(req.url ?? '');
        res.setHeader('Content-Type', 'application/json');
        if (req.url === '/apis') {
            res.end(JSON.stringify({ kind: 'APIGroupList', groups: [{ name: 'postgres-operator.crunchydata.com', versions: [{ version: 'v1beta1' }] }] }));
            return;
        }
        res.statusCode = 404;
        res.end(
            JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' }),
        );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
    await new Promise((r) => server.close(r));
});

describe('discovery', () => {
    it('takes a group whose version answers 404 as not served, not as an error', async () => {
        const cfg = insecureKubeconfig(`http://127.0.0.1:${port}`);
        const client = new KubeClient(cfg.kc, cfg.server, 5000, cfg.contextName);
        expect(await discover(client)).toEqual({ v4: false, v5: { ivyo: false, pgo: false } });
        // The group versions alone, at once: no round trip to /apis first.
        expect(asked.sort()).toEqual(['/apis/crunchydata.com/v1', '/apis/ivory-operator.ivorysql.org/v1beta1', '/apis/postgres-operator.crunchydata.com/v1beta1']);
    });
});
