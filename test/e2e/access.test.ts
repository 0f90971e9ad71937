import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergedRules, PERMISSIONS } from '../../src/rbac.js';
import type { Inspection } from '../../src/v4/inspection.js';
import { SCENARIOS } from '../fixtures/v4/cluster.js';
import { adminCluster, createNamespace, createObjects, mintUser, run } from '../support/kube.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeKubeconfig } from '../../scripts/test-cluster.js';

let ns: string;
beforeAll(async () => {
    ns = await createNamespace('access');
    await createObjects(SCENARIOS.fresh(ns));
});

/** The rights `inspect` needs in one namespace (PersistentVolumes are cluster-scoped and left out here). */
const INSPECT_RULES = [
    { apiGroups: ['crunchydata.com'], resources: ['pgclusters', 'pgreplicas'], verbs: ['get', 'list'] },
    { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
    { apiGroups: [''], resources: ['pods', 'persistentvolumeclaims', 'secrets', 'configmaps', 'services'], verbs: ['list'] },
];

describe('inspect with restricted users', () => {
    it('names the verb, resource and namespace it lacks', async () => {
        const kubeconfig = await mintUser(ns, 'nobody');
        const r = await run(['inspect', 'hippo'], { kubeconfig });
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(
            new RegExp(
                `^error: forbidden: cannot get pgclusters\\.crunchydata\\.com "hippo" in namespace "${ns}": .*system:serviceaccount:${ns}:nobody.*; ask a cluster admin for "get" on "pgclusters\\.crunchydata\\.com", or use a context that has it\\n$`,
            ),
        );
    });

    it('inspects with namespace rights only, saying what it could not read', async () => {
        const kubeconfig = await mintUser(ns, 'reader', INSPECT_RULES);
        const r = await run(['inspect', 'hippo', '-o', 'json'], { kubeconfig });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const i = JSON.parse(r.stdout) as Inspection;
        expect(i.primary.pvc).toBe('hippo');
        expect(i.volumes[0]).toMatchObject({ pvc: 'hippo', pv: `pv-${ns}-hippo`, reclaimPolicy: null });
        expect(i.methods.volumes.warnings.map((w) => w.code)).toContain('pv-unreadable');
    });

    it('refuses to prepare without reading PersistentVolumes, rather than skip setting Retain unseen', async () => {
        // Everything prepare needs in the namespace (src/rbac.ts), and not the cluster-wide PersistentVolume role.
        const rules = mergedRules(PERMISSIONS.prepare)
            .filter((p) => !p.clusterScoped)
            .map((p) => ({ apiGroups: [p.group], resources: [p.resource], verbs: p.verbs }));
        const kubeconfig = await mintUser(ns, 'preparer', rules);
        const r = await run(['prepare', 'hippo', '--method', 'volumes', '--target', 'pgo', '--dry-run=client'], { kubeconfig });
        expect(r.code).toBe(1);
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe(
            'error: forbidden: cannot get persistentvolumes: prepare sets the reclaim policy of the reused PVs and needs get, list and patch on persistentvolumes ("kubectl ivyo-upgrade inspect --print-rbac" prints the role kubectl-ivyo-upgrade-volumes to bind)\n',
        );
    });

    it('reports refused credentials', async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-'));
        const { server, ca } = adminCluster();
        writeKubeconfig(path.join(dir, 'k'), server, ca, 'ghost', 'not-a-token', ns);
        const r = await run(['inspect', 'hippo'], { kubeconfig: path.join(dir, 'k') });
        expect(r.code).toBe(1);
        expect(r.stderr).toBe('error: you must be logged in to the server (Unauthorized): the credentials of context "ghost@test" were refused; renew them and retry\n');
    });
});

describe('inspect against servers that do not answer', () => {
    let silent: net.Server;
    let silentPort: number;
    const sockets: net.Socket[] = [];
    beforeAll(async () => {
        // Accepts connections and never answers: what a hung API server or a black-holing proxy looks like.
        silent = net.createServer((s) => sockets.push(s));
        await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
        silentPort = (silent.address() as net.AddressInfo).port;
    });
    afterAll(async () => {
        for (const s of sockets) s.destroy();
        await new Promise((r) => silent.close(r));
    });

    function kubeconfigFor(server: string): string {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'unreachable-')), 'k');
        writeKubeconfig(file, server, '/dev/null', 'someone', 'token');
        return file;
    }

    it('gives up within --request-timeout', async () => {
        const r = await run(['inspect', 'hippo', '--request-timeout', '1s'], { kubeconfig: kubeconfigFor(`https://127.0.0.1:${silentPort}`) });
        expect(r.code).toBe(1);
        expect(r.stderr).toBe(`error: the server https://127.0.0.1:${silentPort} did not answer within the request timeout: check the network, or raise --request-timeout\n`);
        expect(r.ms).toBeLessThan(4000);
    });

    it('says the connection was refused', async () => {
        const closed = await new Promise<number>((resolve) => {
            const s = net.createServer().listen(0, '127.0.0.1', () => {
                const { port } = s.address() as net.AddressInfo;
                s.close(() => resolve(port));
            });
        });
        const r = await run(['inspect', 'hippo'], { kubeconfig: kubeconfigFor(`https://127.0.0.1:${closed}`) });
        expect(r.code).toBe(1);
        expect(r.stderr).toBe(
            `error: the connection to the server https://127.0.0.1:${closed} was refused: is the API server running, and is context "someone@test" the right one?\n`,
        );
    });
});
