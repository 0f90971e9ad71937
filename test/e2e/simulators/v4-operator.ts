/**
 * Test code only: does what the PGO v4.7.10 operator does for the steps prepare drives, against the real
 * API server (CrunchyData/postgres-operator v4.7.10: scale-down and cluster delete in internal/controller/pgcluster/pgclustercontroller.go and cmd/pgo-rmdata/process.go; docs/upstream-facts.md).
 * pgtasks of type delete-data run an rmdata "Job" (created for real, marked complete by the simulator, as no
 * kubelet runs here). Deleted pgclusters come from a watch, as the operator's informer gets them: the DELETED
 * event carries the object's final state, keep-data and keep-backups annotations included.
 */
import { Watch } from '@kubernetes/client-node';
import { KubeClient } from '../../../src/kube/client.js';
import { ApiError } from '../../../src/kube/errors.js';
import { loadKubeconfig } from '../../../src/kube/kubeconfig.js';
import { finishJob } from './jobs.js';
import type { Job, KubeObject, Pgcluster } from '../../../src/kube/types.js';

type Task = KubeObject & { spec: { tasktype?: string; parameters?: Record<string, string> } };

export interface V4SimulatorHooks {
    /** Called before the operator removes a replica; a test can fail the cluster over here. */
    beforeReplicaRemoval?: (replica: string) => Promise<void>;
    /** Make backup Jobs fail (pgBackRest could not reach the repository, say). */
    failBackups?: boolean;
}

export class V4OperatorSimulator {
    private timer: NodeJS.Timeout | undefined;
    private watch: AbortController | undefined;
    private running: Promise<void> = Promise.resolve();
    private readonly v4: string;
    private readonly client: KubeClient;
    private readonly backedUp = new Set<string>();
    private readonly kubeconfig: ReturnType<typeof loadKubeconfig>;
    readonly errors: unknown[] = [];
    /**
     * The pgclusters as last seen, as the operator's informer cache holds them. A simulator started with another's
     * (a restarted operator, after its API server came back) deletes the ones gone meanwhile, as the informer does
     * on its next list (a DeletedFinalStateUnknown: the last state it knew).
     */
    readonly seen = new Map<string, Pgcluster>();

    constructor(
        kubeconfig: string,
        private readonly namespace: string,
        private readonly hooks: V4SimulatorHooks = {},
        private readonly before?: Map<string, Pgcluster>,
    ) {
        this.kubeconfig = loadKubeconfig({ kubeconfig, env: {} });
        this.client = new KubeClient(this.kubeconfig.kc, this.kubeconfig.server, 30_000, this.kubeconfig.contextName);
        this.v4 = `/apis/crunchydata.com/v1/namespaces/${namespace}`;
    }

    /** Runs one piece of work after the ones before it, as the operator's work queue does. */
    private enqueue(work: () => Promise<void>): void {
        this.running = this.running.then(work).catch((e: unknown) => void this.errors.push(e));
    }

    async start(): Promise<this> {
        const now = await this.client.listAll<Pgcluster>(`${this.v4}/pgclusters`);
        for (const c of now.items) this.seen.set(c.metadata.name, c);
        for (const [name, c] of this.before ?? []) if (!this.seen.has(name)) this.enqueue(() => this.onDelete(c));
        this.watch = await new Watch(this.kubeconfig.kc).watch(
            `${this.v4}/pgclusters`,
            { resourceVersion: now.resourceVersion },
            (type: string, obj: Pgcluster) => {
                if (type === 'DELETED') {
                    this.seen.delete(obj.metadata.name);
                    this.enqueue(() => this.onDelete(obj));
                } else this.seen.set(obj.metadata.name, obj);
            },
            (err: unknown) => {
                if (err && !(err instanceof Error && err.name === 'AbortError')) this.errors.push(err);
            },
        );
        this.timer = setInterval(() => this.enqueue(() => this.tick()), 150);
        return this;
    }

    async stop(): Promise<void> {
        clearInterval(this.timer);
        this.watch?.abort();
        await this.running;
    }

    private async tick(): Promise<void> {
        for (const c of await this.client.list<Pgcluster>(`${this.v4}/pgclusters`)) {
            if (c.spec?.shutdown === true && c.status?.state !== 'pgcluster Shutdown') await this.shutdown(c);
        }
        const tasks = await this.client.list<Task>(`${this.v4}/pgtasks`);
        for (const t of tasks) {
            if (t.spec.tasktype === 'delete-data' && !t.spec.parameters?.['delete-data-started']) await this.rmdata(t);
            if (t.spec.tasktype === 'backrest' && t.spec.parameters?.['backrest-command'] === 'backup' && !this.backedUp.has(t.metadata.uid ?? '')) await this.backup(t);
        }
    }

    /**
     * pgclustercontroller onUpdate on spec.shutdown → internal/operator/cluster/clusterlogic.go ShutdownCluster (v4.7.9):
     * every Deployment of the cluster (the database's, pgBackRest's, pgBouncer's) scaled to 0, their pods gone
     * with them, the state "pgcluster Shutdown", and the Patroni leader ConfigMap `<c>-leader` deleted.
     */
    private async shutdown(c: Pgcluster): Promise<void> {
        const name = c.metadata.name;
        const ns = `/apis/apps/v1/namespaces/${this.namespace}/deployments`;
        for (const d of await this.client.list<KubeObject>(ns, { labelSelector: `pg-cluster=${name}` })) {
            await this.client.request('PATCH', `${ns}/${d.metadata.name}`, { body: { spec: { replicas: 0 } }, contentType: 'application/merge-patch+json' });
        }
        for (const pod of await this.client.list<KubeObject>(`/api/v1/namespaces/${this.namespace}/pods`, { labelSelector: `pg-cluster=${name}` })) {
            await this.gone(`/api/v1/namespaces/${this.namespace}/pods/${pod.metadata.name}`);
        }
        await this.client.request('PATCH', `${this.v4}/pgclusters/${name}`, {
            body: { status: { state: 'pgcluster Shutdown', message: 'Database shutdown along with the following services: [] ' } },
            contentType: 'application/merge-patch+json',
        });
        await this.gone(`/api/v1/namespaces/${this.namespace}/configmaps/${name}-leader`);
    }

    /** pgclustercontroller.onDelete: nothing while an rmdata Job is unfinished; else the rmdata pgtask. */
    private async onDelete(c: Pgcluster): Promise<void> {
        const name = c.metadata.name;
        const jobs = await this.client.list<Job>(`/apis/batch/v1/namespaces/${this.namespace}/jobs`, { labelSelector: `pgrmdata=true,pg-cluster=${name}` });
        const busy = jobs.some((j) => (j.status?.active ?? 0) > 0 || ((j.status?.succeeded ?? 0) < 1 && (j.status?.failed ?? 0) < (j.spec?.backoffLimit ?? 6)));
        if (busy) return;
        const notes = c.metadata.annotations ?? {};
        await this.gone(`${this.v4}/pgtasks/${name}-rmdata`);
        await this.client.request('POST', `${this.v4}/pgtasks`, {
            body: {
                apiVersion: 'crunchydata.com/v1',
                kind: 'Pgtask',
                metadata: { name: `${name}-rmdata`, labels: { 'pg-cluster': name, pgrmdata: 'true' } },
                spec: {
                    name: `${name}-rmdata`,
                    tasktype: 'delete-data',
                    parameters: {
                        'delete-data': String(!('keep-data' in notes)),
                        'delete-backups': String(!('keep-backups' in notes)),
                        'is-replica': 'false',
                        'is-backup': 'false',
                        'pg-cluster': name,
                        'replica-name': '',
                    },
                },
            },
        });
    }

    private async rmdata(t: Task): Promise<void> {
        const p = t.spec.parameters ?? {};
        const cluster = p['pg-cluster'] ?? '';
        await this.client.request('PATCH', `${this.v4}/pgtasks/${t.metadata.name}`, {
            body: { spec: { parameters: { 'delete-data-started': new Date().toISOString() } } },
            contentType: 'application/merge-patch+json',
        });
        const job = await this.startJob(cluster);
        if (p['is-replica'] === 'true') await this.removeReplica(cluster, p['replica-name'] ?? '', p['delete-data'] === 'true');
        else await this.removeCluster(cluster, p['delete-data'] === 'true', p['delete-backups'] === 'true');
        await finishJob(this.client, this.namespace, job, 'Complete');
    }

    /** internal/operator/backrest/backup.go: the backup Job; on success the job controller marks the pgtask. */
    private async backup(t: Task): Promise<void> {
        this.backedUp.add(t.metadata.uid ?? '');
        const p = t.spec.parameters ?? {};
        const name = p['job-name'] ?? t.metadata.name;
        await this.client.request('POST', `/apis/batch/v1/namespaces/${this.namespace}/jobs`, {
            body: {
                apiVersion: 'batch/v1',
                kind: 'Job',
                metadata: {
                    name,
                    labels: { 'pgo-backrest': 'true', 'pgo-backrest-job': 'true', 'backrest-command': 'backup', 'pg-cluster': p['pg-cluster'] ?? '', vendor: 'crunchydata' },
                },
                spec: {
                    backoffLimit: 0,
                    template: {
                        spec: {
                            restartPolicy: 'Never',
                            containers: [
                                {
                                    name: 'backrest',
                                    image: 'registry.developers.crunchydata.com/crunchydata/crunchy-pgbackrest:ubi8-4.7.10',
                                    env: [
                                        { name: 'COMMAND', value: 'backup' },
                                        { name: 'COMMAND_OPTS', value: p['backrest-opts'] ?? '' },
                                        { name: 'PODNAME', value: p.podname ?? '' },
                                    ],
                                },
                            ],
                        },
                    },
                },
            },
        });
        await finishJob(this.client, this.namespace, name, this.hooks.failBackups ? 'Failed' : 'Complete');
        if (!this.hooks.failBackups) {
            await this.client.request('PATCH', `${this.v4}/pgtasks/${t.metadata.name}`, {
                body: { spec: { status: 'job completed' } },
                contentType: 'application/merge-patch+json',
            });
        }
    }

    /** cmd/pgo-rmdata/process.go, IsReplica branch. */
    private async removeReplica(cluster: string, replica: string, deleteData: boolean): Promise<void> {
        await this.hooks.beforeReplicaRemoval?.(replica);
        const ns = `/api/v1/namespaces/${this.namespace}`;
        const others = (
            await this.client.list<KubeObject>(`/apis/apps/v1/namespaces/${this.namespace}/deployments`, { labelSelector: `pg-cluster=${cluster},pgo-pg-database=true` })
        )
            .map((d) => d.metadata.name)
            .filter((d) => d !== replica);
        const pgcluster = await this.client.get<Pgcluster>(`${this.v4}/pgclusters/${cluster}`);
        const current = pgcluster.metadata.annotations?.['current-primary'];
        if (others.every((d) => d === current)) await this.gone(`${ns}/services/${cluster}-replica`);
        await this.gone(`${this.v4}/pgreplicas/${replica}`);
        await this.deleteDeployment(replica);
        if (deleteData) {
            const pvcs = await this.client.list<KubeObject>(`${ns}/persistentvolumeclaims`);
            for (const pvc of pvcs.map((x) => x.metadata.name)) {
                if (pvc === replica || pvc === `${replica}-wal` || pvc.startsWith(`${replica}-tablespace-`)) await this.gone(`${ns}/persistentvolumeclaims/${pvc}`);
            }
        }
    }

    /** cmd/pgo-rmdata/process.go, cluster branch. */
    private async removeCluster(cluster: string, deleteData: boolean, deleteBackups: boolean): Promise<void> {
        const ns = `/api/v1/namespaces/${this.namespace}`;
        const sel = `pg-cluster=${cluster}`;
        const names = async (path: string, labelSelector: string) => (await this.client.list<KubeObject>(path, { labelSelector })).map((o) => o.metadata.name);
        for (const cm of await names(`${ns}/configmaps`, `crunchy-scheduler=true,${sel}`)) await this.gone(`${ns}/configmaps/${cm}`);
        if (deleteData) for (const s of await names(`${ns}/secrets`, `${sel},pgo-backrest-repo!=true`)) await this.gone(`${ns}/secrets/${s}`);
        for (const d of await names(`/apis/apps/v1/namespaces/${this.namespace}/deployments`, `${sel},pgo-backrest-repo!=true`)) await this.deleteDeployment(d);
        for (const s of await names(`${ns}/services`, sel)) await this.gone(`${ns}/services/${s}`);
        for (const r of await names(`${this.v4}/pgreplicas`, sel)) await this.gone(`${this.v4}/pgreplicas/${r}`);
        for (const t of await names(`${this.v4}/pgtasks`, sel)) await this.gone(`${this.v4}/pgtasks/${t}`);
        for (const cm of ['pgha-config', 'leader', 'config', 'failover', 'sync', 'pgbouncer-cm']) await this.gone(`${ns}/configmaps/${cluster}-${cm}`);
        if (deleteData) {
            for (const pvc of await names(`${ns}/persistentvolumeclaims`, sel)) {
                if (pvc !== `${cluster}-pgbr-repo` && !pvc.startsWith(`backup-${cluster}-pgdump`)) await this.gone(`${ns}/persistentvolumeclaims/${pvc}`);
            }
        }
        await this.deleteDeployment(`${cluster}-backrest-shared-repo`);
        await this.gone(`${ns}/services/${cluster}-backrest-shared-repo`);
        if (deleteBackups) {
            await this.gone(`${ns}/persistentvolumeclaims/${cluster}-pgbr-repo`);
            await this.gone(`${ns}/secrets/${cluster}-backrest-repo-config`);
        }
        await this.gone(`${this.v4}/pgclusters/${cluster}`);
    }

    private async deleteDeployment(name: string): Promise<void> {
        await this.gone(`/apis/apps/v1/namespaces/${this.namespace}/deployments/${name}`);
        // No ReplicaSet controller runs here: the fixture's pods stand in for the deployment's pods.
        const pods = await this.client.list<KubeObject>(`/api/v1/namespaces/${this.namespace}/pods`, { labelSelector: `name=${name}` });
        for (const p of pods) await this.gone(`/api/v1/namespaces/${this.namespace}/pods/${p.metadata.name}?gracePeriodSeconds=0`);
    }

    private async startJob(cluster: string): Promise<string> {
        const name = `${cluster}-rmdata-${Math.random().toString(36).slice(2, 6)}`;
        await this.client.request('POST', `/apis/batch/v1/namespaces/${this.namespace}/jobs`, {
            body: {
                apiVersion: 'batch/v1',
                kind: 'Job',
                metadata: { name, labels: { pgrmdata: 'true', 'pg-cluster': cluster, vendor: 'crunchydata' } },
                spec: {
                    backoffLimit: 0,
                    template: {
                        metadata: { labels: { pgrmdata: 'true' } },
                        spec: { restartPolicy: 'Never', containers: [{ name: 'rmdata', image: 'registry.developers.crunchydata.com/crunchydata/pgo-rmdata:ubi8-4.7.10' }] },
                    },
                },
            },
        });
        return name;
    }

    /** Deletes what exists; what is already gone is fine (the real rmdata tolerates NotFound too). */
    private async gone(path: string): Promise<void> {
        const [p, q] = path.split('?');
        try {
            await this.client.request('DELETE', p!, { query: q ? Object.fromEntries(new URLSearchParams(q)) : {} });
        } catch (e) {
            if (!(e instanceof ApiError && e.status === 404)) throw e;
        }
    }
}
