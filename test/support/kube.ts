import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import type { Io } from '../../src/io.js';
import { KubeClient } from '../../src/kube/client.js';
import { main } from '../../src/main.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import type { KubeObject } from '../../src/kube/types.js';
import * as seed from '../../scripts/seed.js';
import { writeKubeconfig } from '../../scripts/test-cluster.js';

export const PLUGIN = path.resolve('dist/kubectl-ivyo_upgrade');

export function adminKubeconfig(): string {
    return inject('kubeconfig');
}

/** The test cluster's address and CA, from the admin kubeconfig. */
export function adminCluster(): { server: string; ca: string } {
    const admin = JSON.parse(fs.readFileSync(adminKubeconfig(), 'utf8')) as { clusters: { cluster: { server: string; 'certificate-authority': string } }[] };
    const cluster = admin.clusters[0]!.cluster;
    return { server: cluster.server, ca: cluster['certificate-authority'] };
}

export function adminClient(): KubeClient {
    const cfg = loadKubeconfig({ kubeconfig: adminKubeconfig(), env: {} });
    return new KubeClient(cfg.kc, cfg.server, 30_000, cfg.contextName);
}

/** A new namespace, named after `prefix`, ready for pods. */
export async function createNamespace(prefix: string): Promise<string> {
    const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
    await seed.createNamespace(adminClient(), name);
    return name;
}

export function createObjects(objects: KubeObject[]): Promise<void> {
    return seed.createObjects(adminClient(), objects);
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
    for (const o of objects) await client.request('POST', seed.collectionOf(o), { body: o });
    const answer = await client.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
    });
    const { server, ca } = adminCluster();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'user-')), 'kubeconfig');
    writeKubeconfig(file, server, ca, name, answer.status.token, namespace);
    return file;
}

export interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
    ms: number;
}

/**
 * Runs a command line of the plugin: in this process through `main(argv, io)` (the command tests), or, with
 * `command`, as a separate program (`kubectl` finding the plugin, `script` giving it a terminal). stdin is
 * empty unless `stdin` is given, and never a terminal.
 */
export async function run(args: string[], opts: { kubeconfig?: string; env?: NodeJS.ProcessEnv; command?: string; stdin?: string } = {}): Promise<Run> {
    const env = { ...process.env, KUBECONFIG: opts.kubeconfig ?? adminKubeconfig(), NO_COLOR: '', ...opts.env };
    if (opts.command) return spawnRun(opts.command, args, env, opts.stdin);
    const started = Date.now();
    let stdout = '';
    let stderr = '';
    const stdin = new PassThrough();
    stdin.end(opts.stdin ?? '');
    const io: Io = { stdout: { write: (t: string) => (stdout += t), isTTY: false }, stderr: { write: (t: string) => (stderr += t), isTTY: false }, stdin, env };
    const code = await main(args, io);
    notePrinted(args, stdout + stderr);
    // E2E_TRANSCRIPT=<file>: every command with its output, as a user would see it (for issue notes and reviews).
    if (process.env.E2E_TRANSCRIPT) fs.appendFileSync(process.env.E2E_TRANSCRIPT, `$ kubectl ivyo-upgrade ${args.join(' ')}\n${stdout}${stderr}(exit ${code})\n\n`);
    return { code, stdout, stderr, ms: Date.now() - started };
}

/**
 * Keeps what a command printed, a JSON line each, for the checks after the run (test/e2e/audit.ts): that no
 * secret value was ever printed (a command told to print secrets, `--include-secrets`, aside), and that every
 * Secret the tool read by name is named in what it printed in that namespace.
 */
export function notePrinted(args: string[], text: string): void {
    const flag = args.findIndex((a) => a === '-n' || a === '--namespace');
    const given = flag >= 0 ? args[flag + 1] : args.find((a) => /^(-n|--namespace)=/.test(a))?.split('=')[1];
    const entry: PrintedEntry = { namespace: given ?? null, secretsAsked: args.includes('--include-secrets'), text };
    fs.appendFileSync(inject('printed'), `${JSON.stringify(entry)}\n`);
}

/** One command's output in the printed log: its `-n` (null: the kubeconfig's or every namespace). */
export interface PrintedEntry {
    namespace: string | null;
    secretsAsked: boolean;
    text: string;
}

/** Runs the built plugin itself, as a user's shell would. */
export function runBinary(args: string[], opts: { kubeconfig?: string; env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<Run> {
    return spawnRun(PLUGIN, args, { ...process.env, KUBECONFIG: opts.kubeconfig ?? adminKubeconfig(), NO_COLOR: '', ...opts.env }, opts.stdin);
}

function spawnRun(command: string, args: string[], env: NodeJS.ProcessEnv, stdinText: string | undefined): Promise<Run> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { env, stdio: [stdinText === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
        if (stdinText !== undefined) child.stdin?.end(stdinText);
        let stdout = '';
        let stderr = '';
        child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => {
            notePrinted(args, stdout + stderr);
            resolve({ code, stdout, stderr, ms: Date.now() - started });
        });
    });
}

/**
 * The resourceVersion of every object a writing command could touch in `ns` (pgclusters, pgtasks, PVCs,
 * ConfigMaps, Secrets, both v5 cluster kinds) and of every PV: equal before and after means nothing was written.
 * `removedCrds`: CRDs a test took away, whose collections are left out.
 * Any read error fails the test rather than compare nothing with nothing.
 */
export async function namespaceVersions(ns: string, removedCrds: string[] = []): Promise<Record<string, string[]>> {
    const client = adminClient();
    const paths: Record<string, string> = {
        pgclusters: `/apis/crunchydata.com/v1/namespaces/${ns}/pgclusters`,
        pgtasks: `/apis/crunchydata.com/v1/namespaces/${ns}/pgtasks`,
        persistentvolumeclaims: `/api/v1/namespaces/${ns}/persistentvolumeclaims`,
        configmaps: `/api/v1/namespaces/${ns}/configmaps`,
        secrets: `/api/v1/namespaces/${ns}/secrets`,
        ivoryclusters: `/apis/ivory-operator.ivorysql.org/v1beta1/namespaces/${ns}/ivoryclusters`,
        postgresclusters: `/apis/postgres-operator.crunchydata.com/v1beta1/namespaces/${ns}/postgresclusters`,
        persistentvolumes: '/api/v1/persistentvolumes',
    };
    const out: Record<string, string[]> = {};
    // A collection whose CRD a test removed is not served: nothing of it can change.
    for (const [kind, p] of Object.entries(paths).filter(([k]) => !removedCrds.some((crd) => crd.split('.')[0] === k))) {
        // A service account's token Secret is the controller manager's, made a moment after the account (a user a test mints).
        const items = (await client.list<KubeObject & { type?: string }>(p)).filter((o) => o.type !== 'kubernetes.io/service-account-token');
        out[kind] = items.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`).sort();
    }
    return out;
}
