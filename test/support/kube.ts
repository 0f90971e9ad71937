import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { KubeClient } from '../../src/kube/client.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import type { KubeObject } from '../../src/kube/types.js';
import { writeKubeconfig } from '../../scripts/test-cluster.js';

export const PLUGIN = path.resolve('dist/kubectl-ivyo_upgrade');

export function adminKubeconfig(): string {
    return inject('kubeconfig');
}

export function adminClient(): KubeClient {
    const cfg = loadKubeconfig({ kubeconfig: adminKubeconfig(), env: {} });
    return new KubeClient(cfg.kc, cfg.server, 30_000, cfg.contextName);
}

const COLLECTIONS: Record<string, string> = {
    'v1/PersistentVolume': '/api/v1/persistentvolumes',
    'v1/PersistentVolumeClaim': '/api/v1/namespaces/NS/persistentvolumeclaims',
    'v1/Secret': '/api/v1/namespaces/NS/secrets',
    'v1/ConfigMap': '/api/v1/namespaces/NS/configmaps',
    'v1/Service': '/api/v1/namespaces/NS/services',
    'v1/Pod': '/api/v1/namespaces/NS/pods',
    'v1/ServiceAccount': '/api/v1/namespaces/NS/serviceaccounts',
    'apps/v1/Deployment': '/apis/apps/v1/namespaces/NS/deployments',
    'crunchydata.com/v1/Pgcluster': '/apis/crunchydata.com/v1/namespaces/NS/pgclusters',
    'crunchydata.com/v1/Pgreplica': '/apis/crunchydata.com/v1/namespaces/NS/pgreplicas',
    'rbac.authorization.k8s.io/v1/Role': '/apis/rbac.authorization.k8s.io/v1/namespaces/NS/roles',
    'rbac.authorization.k8s.io/v1/RoleBinding': '/apis/rbac.authorization.k8s.io/v1/namespaces/NS/rolebindings',
};

export function collectionOf(o: KubeObject): string {
    const c = COLLECTIONS[`${o.apiVersion}/${o.kind}`];
    if (!c) throw new Error(`test support: no collection for ${o.apiVersion}/${o.kind}`);
    return c.replace('NS', o.metadata.namespace ?? '');
}

const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check().catch(() => false))) {
        if (Date.now() > deadline) throw new Error(`test support: ${what} after ${timeoutMs / 1000}s`);
        await new Promise((r) => setTimeout(r, 200));
    }
};

/** A new namespace with its default ServiceAccount (pods cannot be created before it exists). */
export async function createNamespace(prefix: string): Promise<string> {
    const client = adminClient();
    const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
    await client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
    await until(`ServiceAccount ${name}/default missing`, async () => {
        await client.get(`/api/v1/namespaces/${name}/serviceaccounts/default`);
        return true;
    });
    return name;
}

/** Creates the objects in order, then waits until the PV binder has bound every claim. */
export async function createObjects(objects: KubeObject[]): Promise<void> {
    const client = adminClient();
    for (const o of objects) await client.request('POST', collectionOf(o), { body: o });
    const claims = objects.filter((o) => o.kind === 'PersistentVolumeClaim');
    for (const c of claims) {
        await until(`PVC ${c.metadata.namespace}/${c.metadata.name} not Bound`, async () => {
            const got = await client.get<{ status?: { phase?: string } }>(`${collectionOf(c)}/${c.metadata.name}`);
            return got.status?.phase === 'Bound';
        });
    }
}

/**
 * A ServiceAccount user of the test cluster with a token from the TokenRequest API, bound to a Role with
 * `rules` (none: no rights at all). Returns the path of a kubeconfig for it.
 */
export async function mintUser(namespace: string, name: string, rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] = []): Promise<string> {
    const client = adminClient();
    const objects: KubeObject[] = [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } }];
    if (rules.length > 0) {
        objects.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace }, rules } as KubeObject);
        objects.push({
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'RoleBinding',
            metadata: { name, namespace },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
            subjects: [{ kind: 'ServiceAccount', name, namespace }],
        } as KubeObject);
    }
    for (const o of objects) await client.request('POST', collectionOf(o), { body: o });
    const answer = await client.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
    });
    const admin = JSON.parse(fs.readFileSync(adminKubeconfig(), 'utf8')) as { clusters: { cluster: { server: string; 'certificate-authority': string } }[] };
    const cluster = admin.clusters[0]!.cluster;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'user-')), 'kubeconfig');
    writeKubeconfig(file, cluster.server, cluster['certificate-authority'], name, answer.status.token, namespace);
    return file;
}

export interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
    ms: number;
}

/** Runs the built plugin as a user would, with no stdin. */
export function run(args: string[], opts: { kubeconfig?: string; env?: NodeJS.ProcessEnv; command?: string } = {}): Promise<Run> {
    const started = Date.now();
    const env = { ...process.env, KUBECONFIG: opts.kubeconfig ?? adminKubeconfig(), NO_COLOR: '', ...opts.env };
    return new Promise((resolve, reject) => {
        const child = spawn(opts.command ?? PLUGIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
    });
}
