/**
 * A real Kubernetes control plane on 127.0.0.1 for tests and the demo: etcd, kube-apiserver (RBAC, token
 * authentication) and kube-controller-manager (garbage collector, PV binder, namespace, service-account and
 * job controllers). No kubelet and no scheduler: pods stay Pending. README.md "Tests" says how it is built.
 *
 *   node scripts/run.mjs scripts/test-cluster.ts start DIR   # prints the kubeconfig path; keeps running
 *   node scripts/run.mjs scripts/test-cluster.ts stop DIR
 */
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { adminRequest } from './admin-http.js';
import { installCrds } from './crds.js';
import { repoRoot } from './repo-root.js';

export const ADMIN_TOKEN = 'admin-token';

/**
 * What the API server's audit log records (test/e2e/audit.ts reads it): every write and every read of a Secret,
 * with who sent it (its User-Agent), at the Metadata level (no bodies, so no secret value).
 */
const AUDIT_POLICY = {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    omitStages: ['RequestReceived'],
    rules: [
        { level: 'Metadata', verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'] },
        { level: 'Metadata', resources: [{ group: '', resources: ['secrets'] }] },
        { level: 'None' },
    ],
};

/** The audit log of the control plane in `dir`: one JSON event a line. */
export const auditLog = (dir: string) => path.join(dir, 'audit.log');

export interface TestCluster {
    dir: string;
    server: string;
    /** An admin kubeconfig (system:masters). */
    kubeconfig: string;
    stop(): Promise<void>;
}

function assetsDir(): string {
    return execFileSync('bash', [path.join(repoRoot(), 'scripts/k8s-assets.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' }).trim();
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => {
            const { port } = s.address() as net.AddressInfo;
            s.close(() => resolve(port));
        });
    });
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (await check().catch(() => false)) return;
        await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`test cluster: ${what} not ready after ${timeoutMs / 1000}s`);
}

/** Starts one process of the control plane, and keeps how (binary, flags) so that it can be started again the same way. */
function startProcess(dir: string, name: Component, bin: string, args: string[]): number {
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ bin, args }));
    const log = fs.openSync(path.join(dir, `${name}.log`), 'a');
    const child = spawn(bin, args, { stdio: ['ignore', log, log], detached: true });
    child.unref();
    fs.closeSync(log);
    if (!child.pid) throw new Error(`test cluster: cannot start ${bin}`);
    return child.pid;
}

export function writeKubeconfig(file: string, server: string, ca: string, user: string, token: string, namespace?: string): void {
    const ctx = `${user}@test`;
    const config = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'test', cluster: { server, 'certificate-authority': ca } }],
        users: [{ name: user, user: { token } }],
        contexts: [{ name: ctx, context: { cluster: 'test', user, ...(namespace ? { namespace } : {}) } }],
        'current-context': ctx,
    };
    fs.writeFileSync(file, JSON.stringify(config, null, 2));
}

export async function startCluster(dir: string): Promise<TestCluster> {
    const bin = assetsDir();
    fs.mkdirSync(dir, { recursive: true });
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const pids: number[] = [];
    const stop = async () => stopCluster(dir);
    try {
        pids.push(
            startProcess(dir, 'etcd', path.join(bin, 'etcd'), [
                '--name=test',
                `--data-dir=${path.join(dir, 'etcd')}`,
                `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
                `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
                `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
                `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
                `--initial-cluster=test=http://127.0.0.1:${peerPort}`,
            ]),
        );
        fs.writeFileSync(path.join(dir, 'pids'), pids.join('\n'));
        const { privateKey, publicKey } = generateKeyPairSync('rsa', {
            modulusLength: 2048,
            publicKeyEncoding: { type: 'spki', format: 'pem' },
            privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
        });
        fs.writeFileSync(path.join(dir, 'sa.key'), privateKey);
        fs.writeFileSync(path.join(dir, 'sa.pub'), publicKey);
        fs.writeFileSync(path.join(dir, 'tokens.csv'), `${ADMIN_TOKEN},admin,admin,system:masters\n`);
        const certDir = path.join(dir, 'certs');
        fs.writeFileSync(path.join(dir, 'audit-policy.json'), JSON.stringify(AUDIT_POLICY));
        pids.push(
            startProcess(dir, 'kube-apiserver', path.join(bin, 'kube-apiserver'), [
                `--etcd-servers=http://127.0.0.1:${etcdPort}`,
                '--bind-address=127.0.0.1',
                '--advertise-address=127.0.0.1',
                `--secure-port=${apiPort}`,
                `--cert-dir=${certDir}`,
                `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
                '--authorization-mode=RBAC',
                '--service-account-issuer=https://kubernetes.default.svc',
                `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
                `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
                // Room for every Service the fixtures make: a /24 ran out after some 250 (each v4 cluster has several).
                '--service-cluster-ip-range=10.0.0.0/16',
                '--allow-privileged',
                `--audit-policy-file=${path.join(dir, 'audit-policy.json')}`,
                `--audit-log-path=${auditLog(dir)}`,
                '--audit-log-format=json',
                '--audit-log-maxsize=0',
            ]),
        );
        fs.writeFileSync(path.join(dir, 'pids'), pids.join('\n'));
        const server = `https://127.0.0.1:${apiPort}`;
        fs.writeFileSync(path.join(dir, 'server'), server);
        await apiServerReady(server);
        const kubeconfig = path.join(dir, 'admin.kubeconfig');
        writeKubeconfig(kubeconfig, server, path.join(certDir, 'apiserver.crt'), 'admin', ADMIN_TOKEN);
        pids.push(
            startProcess(dir, 'kube-controller-manager', path.join(bin, 'kube-controller-manager'), [
                `--kubeconfig=${kubeconfig}`,
                '--leader-elect=false',
                // The PV binder's default 15 s period makes every fixture wait; claims bind within a second this way.
                '--pvclaimbinder-sync-period=1s',
                '--controllers=garbagecollector,namespace,persistentvolume-binder,serviceaccount,serviceaccount-token,job',
                `--service-account-private-key-file=${path.join(dir, 'sa.key')}`,
                '--bind-address=127.0.0.1',
                '--secure-port=0',
                '--port=0',
            ]),
        );
        fs.writeFileSync(path.join(dir, 'pids'), pids.join('\n'));
        await installCrds(server, ADMIN_TOKEN);
        return { dir, server, kubeconfig, stop };
    } catch (e) {
        await stop();
        throw e;
    }
}

type Component = 'etcd' | 'kube-apiserver' | 'kube-controller-manager';
/** The order of the `pids` file. */
const COMPONENTS: Component[] = ['etcd', 'kube-apiserver', 'kube-controller-manager'];

const apiServerReady = (server: string) => until('kube-apiserver', 60_000, async () => (await adminRequest(server, ADMIN_TOKEN, 'GET', '/readyz')).status === 200);

/**
 * Stops the API server of the control plane in `dir` as a crash would (SIGKILL: on SIGTERM it lingers for half a
 * minute), and the controller manager with it, as a node's restart would; etcd keeps running. A controller manager
 * left running talks to the new API server while it starts, and in that window 1.20's garbage collector once
 * deleted two PVCs whose owner, a PostgresCluster, still existed (the class of kubernetes/kubernetes#88097 and
 * #98471). Started after the API server is ready, it sees every custom resource from the first.
 */
export async function stopApiServer(dir: string): Promise<void> {
    const pids = fs.readFileSync(path.join(dir, 'pids'), 'utf8').split('\n');
    for (const name of ['kube-controller-manager', 'kube-apiserver'] as const) {
        const pid = Number(pids[COMPONENTS.indexOf(name)]);
        if (alive(pid)) process.kill(pid, 'SIGKILL');
        await until(`${name} stop`, 30_000, async () => !alive(pid));
    }
}

/**
 * Starts the API server of `dir` again with the same flags, port and certificates, on the same etcd, then, once it
 * is ready, the controller manager. Resolves once both are started.
 */
export async function startApiServer(dir: string): Promise<void> {
    const pids = fs.readFileSync(path.join(dir, 'pids'), 'utf8').split('\n');
    const restart = (name: Component) => {
        const { bin, args } = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as { bin: string; args: string[] };
        pids[COMPONENTS.indexOf(name)] = String(startProcess(dir, name, bin, args));
        fs.writeFileSync(path.join(dir, 'pids'), pids.join('\n'));
    };
    restart('kube-apiserver');
    await apiServerReady(fs.readFileSync(path.join(dir, 'server'), 'utf8'));
    restart('kube-controller-manager');
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

export async function stopCluster(dir: string): Promise<void> {
    const file = path.join(dir, 'pids');
    if (!fs.existsSync(file)) return;
    const pids = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number).reverse();
    for (const pid of pids) {
        try {
            process.kill(pid, 'SIGTERM');
        } catch {
            // already gone
        }
    }
    const deadline = Date.now() + 10_000;
    while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
    fs.rmSync(file);
}

const invokedAs = process.argv[1] ?? '';
if (invokedAs.endsWith('test-cluster.ts')) {
    const [cmd, dir] = process.argv.slice(2);
    if (!dir || (cmd !== 'start' && cmd !== 'stop')) {
        console.error('usage: node scripts/run.mjs scripts/test-cluster.ts start|stop DIR');
        process.exit(2);
    }
    if (cmd === 'start') {
        const c = await startCluster(path.resolve(dir));
        console.log(c.kubeconfig);
    } else {
        await stopCluster(path.resolve(dir));
    }
}
