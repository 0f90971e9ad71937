/**
 * Test code only: what the IVYO / PGO v5 controller does with spec.dataSource.volumes (PGO
 * internal/controller/postgrescluster/volumes.go, IVYO internal/controller/ivorycluster/volumes.go; see
 * docs/upstream-facts.md "v5 volumes"): move Jobs first (created for real, marked complete or failed by the simulator, as no kubelet
 * runs here; a failed one is not retried until someone deletes it), then PVC adoption by server-side apply
 * with the controller's own field manager (labels, controller ownerReference, the claim spec), then status.
 */
import type { KubeClient } from '../../../src/kube/client.js';
import type { Job } from '../../../src/kube/types.js';
import type { V5Cluster } from '../../../src/v5/cluster.js';
import { finishJob } from './jobs.js';

/**
 * The operators' own names, from their source rather than from the code under test: PGO
 * (CrunchyData/postgres-operator v5.8.9) and IVYO (IvorySQL/ivory-operator master d91df9f6):
 * pkg/apis/…/v1beta1 (group, kind), internal/naming/labels.go (prefix, data label values),
 * internal/naming/names.go (move Job names), internal/controller/…/controller.go (field manager),
 * internal/controller/…/pgbackrest.go (the data-initialized condition).
 */
const OPERATORS = {
    pgo: {
        apiVersion: 'postgres-operator.crunchydata.com/v1beta1',
        kind: 'PostgresCluster',
        plural: 'postgresclusters',
        prefix: 'postgres-operator.crunchydata.com/',
        dataLabel: 'postgres',
        manager: 'postgrescluster-controller',
        dataSource: 'postgresCluster',
        dataInitialized: 'PostgresDataInitialized',
        // config/manager/manager.yaml RELATED_IMAGE_POSTGRES_18 (v5.8.9).
        image: 'registry.developers.crunchydata.com/crunchydata/crunchy-postgres:ubi9-18.6-2633',
    },
    ivyo: {
        apiVersion: 'ivory-operator.ivorysql.org/v1beta1',
        kind: 'IvoryCluster',
        plural: 'ivoryclusters',
        prefix: 'ivory-operator.ivorysql.org/',
        dataLabel: 'ivory',
        manager: 'ivorycluster-controller',
        dataSource: 'ivoryCluster',
        dataInitialized: 'IvoryDataInitialized',
        // config/manager/manager.yaml RELATED_IMAGE_IVORY_18 (master d91df9f6).
        image: 'docker.io/ivorysql/ivorysql:ubi9-5.4-5.4-1',
    },
} as const;
type Operator = (typeof OPERATORS)[keyof typeof OPERATORS];

/** internal/naming/names.go: a move Job for each volume whose directory is set (volumes.go reconcileDirMoveJobs). */
function moveJobs(cluster: string, volumes: Record<string, { directory?: string }>): string[] {
    return [
        ...(volumes.pgDataVolume?.directory ? [`${cluster}-move-pgdata-dir`] : []),
        ...(volumes.pgWALVolume?.directory ? [`${cluster}-move-pgwal-dir`] : []),
        ...(volumes.pgBackRestVolume?.directory ? [`${cluster}-move-pgbackrest-repo-dir`] : []),
    ];
}

export interface V5SimulatorOptions {
    /** Move Jobs to fail, by name, the first time they run. */
    failJobs?: string[];
    /** Fail the restore from the repository (reconcileRestoreJob: condition False, PGBackRestRestoreFailed). */
    failRestore?: boolean;
}

type Spec = {
    image?: string;
    port?: number;
    users?: { name: string; databases?: string[] }[];
    instances?: { name: string; dataVolumeClaimSpec?: unknown }[];
    backups?: { pgbackrest?: { repos?: { name: string; volume?: { volumeClaimSpec?: unknown } }[] } };
    dataSource?: { volumes?: Record<string, { pvcName: string; directory?: string }>; ivoryCluster?: unknown; postgresCluster?: unknown };
    standby?: { enabled?: boolean; repoName?: string };
};

export class V5OperatorSimulator {
    private timer: NodeJS.Timeout | undefined;
    private running: Promise<void> = Promise.resolve();
    private failed = new Set<string>();
    readonly errors: unknown[] = [];
    private readonly ns: string;
    private readonly api: string;
    private readonly op: Operator;

    constructor(
        private readonly client: KubeClient,
        operator: keyof typeof OPERATORS,
        namespace: string,
        private readonly options: V5SimulatorOptions = {},
    ) {
        this.ns = `/api/v1/namespaces/${namespace}`;
        this.op = OPERATORS[operator];
        this.api = `/apis/${this.op.apiVersion}/namespaces/${namespace}/${this.op.plural}`;
    }

    start(): this {
        this.timer = setInterval(() => {
            this.running = this.running.then(() => this.tick()).catch((e: unknown) => void this.errors.push(e));
        }, 150);
        return this;
    }

    async stop(): Promise<void> {
        clearInterval(this.timer);
        await this.running;
    }

    private async tick(): Promise<void> {
        for (const c of await this.client.list<V5Cluster & { spec: Spec }>(this.api)) await this.reconcile(c);
    }

    private async reconcile(c: V5Cluster & { spec: Spec }): Promise<void> {
        const name = c.metadata.name;
        const p = this.op.prefix;
        const volumes = c.spec.dataSource?.volumes ?? {};
        if (c.status?.patroni?.systemIdentifier) return;
        if (c.status?.conditions?.some((x) => x.type === this.op.dataInitialized && x.status === 'False')) return;
        // reconcileDirMoveJobs: returns early while a move Job is missing, running or failed.
        const jobs = await this.client.list<Job>(`/apis/batch/v1/namespaces/${c.metadata.namespace}/jobs`, { labelSelector: `${p}cluster=${name},${p}move-job` });
        for (const job of moveJobs(name, volumes)) {
            const found = jobs.find((j) => j.metadata.name === job);
            if (!found) {
                await this.runJob(c, job);
                return;
            }
            if (!found.status?.conditions?.some((x) => x.type === 'Complete' && x.status === 'True')) return;
        }
        // configureExistingPVCs: server-side apply of labels, owner and spec with the controller's manager.
        const owner = { apiVersion: this.op.apiVersion, kind: this.op.kind, name, uid: c.metadata.uid, controller: true, blockOwnerDeletion: true };
        const set = c.spec.instances?.[0]?.name ?? '00';
        const startup = `${name}-${set}-abcd`;
        const adopt = async (pvc: string, labels: Record<string, string>, spec: unknown) =>
            this.client.request('PATCH', `${this.ns}/persistentvolumeclaims/${pvc}`, {
                body: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: pvc, labels, ownerReferences: [owner] }, spec },
                contentType: 'application/apply-patch+yaml',
                query: { fieldManager: this.op.manager, force: 'true' },
            });
        const dataSpec = c.spec.instances?.[0]?.dataVolumeClaimSpec;
        const instanceLabels = { [`${p}cluster`]: name, [`${p}instance-set`]: set, [`${p}instance`]: startup, [`${p}data`]: this.op.dataLabel };
        if (volumes.pgDataVolume) await adopt(volumes.pgDataVolume.pvcName, { ...instanceLabels, [`${p}role`]: 'pgdata' }, dataSpec);
        if (volumes.pgWALVolume) await adopt(volumes.pgWALVolume.pvcName, { ...instanceLabels, [`${p}role`]: 'pgwal' }, dataSpec);
        const repo = c.spec.backups?.pgbackrest?.repos?.[0];
        if (volumes.pgBackRestVolume && repo) {
            await adopt(
                volumes.pgBackRestVolume.pvcName,
                { [`${p}cluster`]: name, [`${p}pgbackrest`]: '', [`${p}pgbackrest-repo`]: repo.name, [`${p}pgbackrest-volume`]: '', [`${p}data`]: 'pgbackrest' },
                repo.volume?.volumeClaimSpec,
            );
        }
        // A restore from a repository (dataSource.ivoryCluster / postgresCluster) runs the restore Job first.
        const restoring = c.spec.dataSource?.[this.op.dataSource] !== undefined;
        const now = new Date().toISOString();
        const condition = (ok: boolean) => ({
            type: this.op.dataInitialized,
            status: ok ? 'True' : 'False',
            reason: ok ? 'PGBackRestRestoreComplete' : 'PGBackRestRestoreFailed',
            message: ok ? 'pgBackRest restore completed successfully' : 'pgBackRest restore failed',
            lastTransitionTime: now,
            observedGeneration: c.metadata.generation,
        });
        if (restoring) {
            const job = `${name}-pgbackrest-restore`;
            await this.createJob(c, job, { [`${p}cluster`]: name, [`${p}pgbackrest-restore`]: name });
            await finishJob(this.client, c.metadata.namespace ?? '', job, this.options.failRestore ? 'Failed' : 'Complete');
            if (this.options.failRestore) {
                await this.client.request('PATCH', `${this.api}/${name}/status`, {
                    body: { status: { conditions: [condition(false)] } },
                    contentType: 'application/merge-patch+json',
                });
                return;
            }
        }
        await this.client.request('PATCH', `${this.api}/${name}/status`, {
            body: {
                status: {
                    ...(restoring ? { conditions: [condition(true)] } : {}),
                    startupInstance: startup,
                    startupInstanceSet: set,
                    observedGeneration: c.metadata.generation,
                    patroni: { systemIdentifier: '7301234567890123456' },
                    instances: [{ name: set, replicas: 1, readyReplicas: 1, updatedReplicas: 1 }],
                    // A standby has no writable instance: no stanza, no replica-create backup (PGO v5.8.9 pgbackrest.go reconcileStanzaCreate).
                    pgbackrest: {
                        repoHost: { ready: true },
                        repos: [{ name: repo?.name ?? 'repo1', bound: true, ...(c.spec.standby?.enabled ? {} : { stanzaCreated: true, replicaCreateBackupComplete: true }) }],
                    },
                },
            },
            contentType: 'application/merge-patch+json',
        });
        await this.instanceSet(c, set, startup);
        await this.userSecrets(c);
    }

    /**
     * The instance's StatefulSet, PostgreSQL in its container "database" (internal/controller/…/instance.go,
     * internal/naming/names.go ContainerDatabase), in spec.image or the operator's default image.
     */
    private async instanceSet(c: V5Cluster & { spec: Spec }, set: string, instance: string): Promise<void> {
        const p = this.op.prefix;
        const labels = { [`${p}cluster`]: c.metadata.name, [`${p}instance-set`]: set, [`${p}instance`]: instance };
        await this.client.request('POST', `/apis/apps/v1/namespaces/${c.metadata.namespace}/statefulsets`, {
            body: {
                apiVersion: 'apps/v1',
                kind: 'StatefulSet',
                metadata: { name: instance, labels },
                spec: {
                    serviceName: `${c.metadata.name}-pods`,
                    selector: { matchLabels: labels },
                    template: { metadata: { labels }, spec: { containers: [{ name: 'database', image: c.spec.image ?? this.op.image }] } },
                },
            },
        });
    }

    /**
     * A Secret per spec.users entry (internal/controller/…/postgres.go / ivory.go generate…UserSecret): libpq
     * keywords for the primary Service; an existing password is kept, else one is generated; dbname and uri
     * only with a database.
     */
    private async userSecrets(c: V5Cluster & { spec: Spec }): Promise<void> {
        const ns = c.metadata.namespace ?? '';
        for (const u of c.spec.users ?? []) {
            const name = `${c.metadata.name}-pguser-${u.name}`;
            const existing = await this.client.get<{ data?: Record<string, string> }>(`${this.ns}/secrets/${name}`).catch(() => null);
            const b64 = (s: string) => Buffer.from(s).toString('base64');
            const data = {
                ...existing?.data,
                host: b64(`${c.metadata.name}-primary.${ns}.svc`),
                port: b64(String(c.spec.port ?? 5432)),
                user: b64(u.name),
                password: existing?.data?.password ?? b64(`generated-${u.name}`),
                ...(u.databases?.[0] ? { dbname: b64(u.databases[0]) } : {}),
            };
            const labels = { [`${this.op.prefix}cluster`]: c.metadata.name, [`${this.op.prefix}pguser`]: u.name };
            await this.client.request('PATCH', `${this.ns}/secrets/${name}`, {
                body: { apiVersion: 'v1', kind: 'Secret', metadata: { name, labels }, data },
                contentType: 'application/apply-patch+yaml',
                query: { fieldManager: this.op.manager, force: 'true' },
            });
        }
    }

    private async runJob(c: V5Cluster, job: string): Promise<void> {
        const p = this.op.prefix;
        const kind = job.endsWith('pgdata-dir') ? 'move-pgdata-dir' : job.endsWith('pgwal-dir') ? 'move-pgwal-dir' : 'move-pgbackrest-repo-dir';
        await this.createJob(c, job, { [`${p}cluster`]: c.metadata.name, [`${p}move-job`]: '', [`${p}${kind}`]: '' });
        const fail = (this.options.failJobs ?? []).includes(job) && !this.failed.has(job);
        if (fail) this.failed.add(job);
        await finishJob(this.client, c.metadata.namespace ?? '', job, fail ? 'Failed' : 'Complete');
    }

    /** A Job the operator owns (controller reference to the cluster), as its Jobs are. */
    private async createJob(c: V5Cluster, job: string, labels: Record<string, string>): Promise<void> {
        await this.client.request('POST', `/apis/batch/v1/namespaces/${c.metadata.namespace}/jobs`, {
            body: {
                apiVersion: 'batch/v1',
                kind: 'Job',
                metadata: {
                    name: job,
                    labels,
                    ownerReferences: [
                        { apiVersion: this.op.apiVersion, kind: this.op.kind, name: c.metadata.name, uid: c.metadata.uid, controller: true, blockOwnerDeletion: true },
                    ],
                },
                spec: {
                    template: {
                        spec: {
                            restartPolicy: 'Never',
                            automountServiceAccountToken: false,
                            containers: [{ name: 'job', image: 'registry.example.com/postgres:ubi8-13.10', command: ['bash', '-ceu', '--'] }],
                        },
                    },
                },
            },
        });
    }
}
