import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeClient } from '../../../src/kube/client.js';
import type { Pod } from '../../../src/kube/types.js';

/** Where a Service's name leads here: a real PostgreSQL on loopback. */
export type ServiceMap = Record<string, { host: string; port: number }>;

/**
 * Test code only: what a kubelet does with the pods of this tool's Jobs, which no node runs here. It runs the
 * container's command for real on this machine, with the environment the pod spec declares (literal values
 * and Secret references, read from the API server as a kubelet does), a Service name and its port replaced by
 * the loopback address of the server that stands for it. Then it writes the pod's status as a kubelet would:
 * phase Succeeded or Failed, the container terminated with its exit code and its termination message (the
 * file the container wrote at /dev/termination-log). The real Job controller does the rest.
 */
export class JobRunner {
    private timer: NodeJS.Timeout | undefined;
    private running: Promise<void> = Promise.resolve();
    private started = new Set<string>();
    private inflight = new Set<Promise<void>>();
    /** Each pod's output, for a failing test to show. */
    readonly logs = new Map<string, string>();
    readonly errors: unknown[] = [];

    constructor(
        private readonly client: KubeClient,
        private readonly namespace: string,
        private readonly services: ServiceMap,
    ) {}

    start(): this {
        this.timer = setInterval(() => {
            this.running = this.running.then(() => this.tick()).catch((e: unknown) => void this.errors.push(e));
        }, 200);
        return this;
    }

    async stop(): Promise<void> {
        clearInterval(this.timer);
        await this.running;
        await Promise.all(this.inflight);
    }

    private async tick(): Promise<void> {
        const pods = await this.client.list<Pod>(`/api/v1/namespaces/${this.namespace}/pods`, { labelSelector: 'app.kubernetes.io/managed-by=kubectl-ivyo-upgrade' });
        for (const pod of pods) {
            const name = pod.metadata.name;
            if (this.started.has(name) || (pod.status?.phase && pod.status.phase !== 'Pending')) continue;
            this.started.add(name);
            // Not awaited: a copy runs while the tool waits, as on a node.
            const run = this.runPod(pod).catch((e: unknown) => void this.errors.push(e));
            this.inflight.add(run);
            void run.finally(() => this.inflight.delete(run));
        }
    }

    private async env(pod: Pod, work: string): Promise<Record<string, string>> {
        const out: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: work };
        for (const e of pod.spec?.containers[0]?.env ?? []) {
            const ref = e.valueFrom?.secretKeyRef;
            if (ref) {
                const secret = await this.client.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${this.namespace}/secrets/${ref.name}`);
                out[e.name] = Buffer.from(secret.data?.[ref.key] ?? '', 'base64').toString();
            } else {
                out[e.name] = e.value ?? '';
            }
        }
        for (const side of ['SOURCE', 'TARGET']) {
            const at = this.services[out[`${side}_HOST`] ?? ''];
            if (at) Object.assign(out, { [`${side}_HOST`]: at.host, [`${side}_PORT`]: String(at.port) });
        }
        return { ...out, WORK: work, ...(out.RESULT_FILE ? { RESULT_FILE: path.join(work, 'termination-log') } : {}) };
    }

    private async runPod(pod: Pod): Promise<void> {
        const container = pod.spec?.containers[0];
        const work = fs.mkdtempSync(path.join(os.tmpdir(), `pod-${pod.metadata.name}-`));
        const env = await this.env(pod, work);
        const [command, ...args] = container?.command ?? [];
        const startedAt = new Date().toISOString();
        const exitCode = await new Promise<number>((resolve) => {
            const child = spawn(command ?? 'false', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
            let log = '';
            child.stdout.on('data', (d: Buffer) => (log += d.toString()));
            child.stderr.on('data', (d: Buffer) => (log += d.toString()));
            child.on('exit', (code) => {
                this.logs.set(pod.metadata.name, log);
                resolve(code ?? 1);
            });
        });
        const messageFile = path.join(work, 'termination-log');
        const message = fs.existsSync(messageFile) ? fs.readFileSync(messageFile, 'utf8') : '';
        const terminated = { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', message, startedAt, finishedAt: new Date().toISOString() };
        await this.client.request('PATCH', `/api/v1/namespaces/${this.namespace}/pods/${pod.metadata.name}/status`, {
            body: {
                status: {
                    phase: exitCode === 0 ? 'Succeeded' : 'Failed',
                    containerStatuses: [{ name: container?.name ?? 'job', ready: false, restartCount: 0, image: container?.image ?? '', imageID: '', state: { terminated } }],
                },
            },
            contentType: 'application/merge-patch+json',
        });
        fs.rmSync(work, { recursive: true, force: true });
    }
}
