import { describe, expect, it } from 'vitest';
import type { Job, KubeObject, Pgcluster } from '../../src/kube/types.js';
import { PreconditionFailed } from '../../src/plan/execute.js';
import { describeLogicalAction, planCutover, planLogicalApply, planPreflight, type LogicalAction } from '../../src/plan/logical.js';
import { FLAVORS } from '../../src/targets/flavors.js';
import type { PreflightFacts } from '../../src/v4/preflight.js';
import { inspectCluster } from '../../src/v4/model.js';
import type { V5Cluster } from '../../src/v5/cluster.js';
import { clientChanges, logicalJob } from '../../src/v5/logical-job.js';
import { COPY_SCRIPT, PREFLIGHT_SCRIPT } from '../../src/v5/logical-scripts.js';
import type { LogicalState, PreflightState } from '../../src/v5/logical-state.js';
import { logicalManifest, SOURCE_ANNOTATION } from '../../src/v5/manifest.js';
import { SCENARIOS } from '../fixtures/v4/cluster.js';
import { snapshotOf } from '../support/snapshot.js';

const IVYO = FLAVORS.ivyo;
const manifest: V5Cluster = {
    apiVersion: 'ivory-operator.ivorysql.org/v1beta1',
    kind: 'IvoryCluster',
    metadata: { name: 'hippo-v5', namespace: 'pgo', annotations: { [SOURCE_ANNOTATION]: 'hippo' } },
    spec: { postgresVersion: 18, port: 5432, users: [{ name: 'ivorysql' }, { name: 'hippo' }] },
};
const running: V5Cluster = {
    ...manifest,
    metadata: { ...manifest.metadata, uid: 'u1' },
    status: { patroni: { systemIdentifier: '7' }, instances: [{ name: '00', replicas: 1, readyReplicas: 1 }] },
};
const finished = (name: string, ok = true): Job => ({
    metadata: { name },
    spec: { backoffLimit: 0 },
    status: ok ? { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } : { failed: 1, conditions: [{ type: 'Failed', status: 'True' }] },
});
const v4: Pgcluster = { metadata: { name: 'hippo', namespace: 'pgo' }, spec: { port: '5432' } };

function state(extra: Partial<LogicalState> = {}): LogicalState {
    return {
        namespace: 'pgo',
        flavor: IVYO,
        manifest,
        v4Cluster: 'hippo',
        v4,
        cluster: null,
        secrets: new Set(['hippo-hippo-secret', 'hippo-postgres-secret']),
        jobs: {},
        image: null,
        preflight: null,
        ...extra,
    };
}
const kinds = (a: LogicalAction[]) => a.map((x) => x.kind);
const ready = { cluster: running, secrets: new Set(['hippo-v5-pguser-ivorysql', 'hippo-v5-pguser-hippo']), image: 'docker.io/ivorysql/ivorysql:ubi9-5.4-5.4-1' };
const refused = (f: () => unknown, message: string | RegExp) => {
    expect(f).toThrow(PreconditionFailed);
    expect(f).toThrow(message);
};

describe('the logical move: the Job of each step', () => {
    const job = logicalJob({ step: 'copy', namespace: 'pgo', v4: { cluster: 'hippo', port: 5432 }, v5: { cluster: 'hippo-v5', port: 5432, flavor: IVYO }, image: 'img', jobs: 4 });
    const container = job.spec?.template?.spec?.containers[0];
    const env = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e]));

    it('takes every credential from a Secret reference, never a literal', () => {
        expect(env.SOURCE_USER?.valueFrom).toEqual({ secretKeyRef: { name: 'hippo-postgres-secret', key: 'username' } });
        expect(env.SOURCE_PASSWORD).toEqual({ name: 'SOURCE_PASSWORD', valueFrom: { secretKeyRef: { name: 'hippo-postgres-secret', key: 'password' } } });
        expect(env.TARGET_USER?.valueFrom).toEqual({ secretKeyRef: { name: 'hippo-v5-pguser-ivorysql', key: 'user' } });
        expect(env.TARGET_PASSWORD?.valueFrom).toEqual({ secretKeyRef: { name: 'hippo-v5-pguser-ivorysql', key: 'password' } });
        expect(
            Object.values(env)
                .filter((e) => e.value !== undefined)
                .map((e) => e.name),
        ).toEqual(['SOURCE_HOST', 'SOURCE_PORT', 'TARGET_HOST', 'TARGET_PORT', 'WORK', 'JOBS', 'RESULT_FILE']);
    });

    it("connects to v4's primary Service and v5's, runs the script once in the given image, never retried", () => {
        expect([env.SOURCE_HOST?.value, env.TARGET_HOST?.value, env.JOBS?.value]).toEqual(['hippo', 'hippo-v5-primary', '4']);
        expect(job.metadata.name).toBe('hippo-v5-ivyo-upgrade-copy');
        expect(job.spec?.backoffLimit).toBe(0);
        expect(container?.image).toBe('img');
        expect(container?.command).toEqual(['bash', '-c', COPY_SCRIPT]);
        expect(job.spec?.template?.spec?.automountServiceAccountToken).toBe(false);
    });

    it("the preflight reads v4 only, named after it, and answers in the termination message; the undo is the cut-over's script told so", () => {
        const p = logicalJob({ step: 'preflight', namespace: 'pgo', v4: { cluster: 'hippo', port: 5432 }, v5: null, image: 'v4img' });
        const c = p.spec?.template?.spec?.containers[0];
        expect(p.metadata.name).toBe('hippo-ivyo-upgrade-preflight');
        expect(c?.command?.[2]).toBe(PREFLIGHT_SCRIPT);
        expect(c?.env?.map((e) => e.name)).toEqual(['SOURCE_HOST', 'SOURCE_PORT', 'SOURCE_USER', 'SOURCE_PASSWORD', 'WORK', 'RESULT_FILE']);
        const undo = logicalJob({ step: 'undo', namespace: 'pgo', v4: { cluster: 'hippo', port: 5432 }, v5: { cluster: 'hippo-v5', port: 5432, flavor: IVYO }, image: 'i' });
        expect(undo.spec?.template?.spec?.containers[0]?.env?.at(-1)).toEqual({ name: 'UNDO', value: '1' });
    });

    it('tells clients what changes, v4 → v5', () => {
        expect(clientChanges({ manifest, v4Cluster: 'hippo', flavor: IVYO })).toEqual([
            { object: 'Service (host)', v4: 'hippo', v5: 'hippo-v5-primary (port 5432)' },
            { object: 'Secret of user hippo', v4: 'hippo-hippo-secret (keys username, password)', v5: 'hippo-v5-pguser-hippo (keys user, password, host, port)' },
            { object: 'superuser', v4: 'postgres', v5: 'ivorysql (Secret hippo-v5-pguser-ivorysql)' },
        ]);
    });
});

describe('the fresh cluster a logical move fills', () => {
    const snapshot = snapshotOf(SCENARIOS.fresh());
    const i = inspectCluster(snapshot, snapshot.pgclusters[0] as Pgcluster, { flavor: IVYO, installed: true, selectedBy: 'default' });
    const m = logicalManifest(i, { flavor: IVYO, name: 'hippo-v5', namespace: 'pgo', postgresVersion: 18 });

    it("has no dataSource, v4's volume size and class, the target's superuser and v4's application users without databases", () => {
        expect(m.spec?.dataSource).toBeUndefined();
        expect(m.spec?.users).toEqual([{ name: 'ivorysql' }, { name: 'hippo' }]);
        const data = i.volumes.find((v) => v.role === 'data');
        expect(data?.size).toBe('1G');
        expect(m.spec?.instances?.[0]?.dataVolumeClaimSpec).toEqual({
            accessModes: data?.accessModes,
            resources: { requests: { storage: data?.size } },
        });
        expect(m.spec?.backups?.pgbackrest?.repos?.[0]?.name).toBe('repo1');
        expect(m.metadata.annotations?.[SOURCE_ANNOTATION]).toBe('hippo');
        expect(m.spec?.postgresVersion).toBe(18);
    });
});

describe('planLogicalApply', () => {
    it('plans the whole move before the cluster exists: passwords, the cluster, its waits, then the copy Job', () => {
        expect(kinds(planLogicalApply(state(), { copy: 'dump', keepPasswords: true }))).toEqual([
            'copy-password',
            'apply-cluster',
            'wait-instances',
            'wait-superuser-secret',
            'wait-image',
            'create-job',
            'wait-job',
        ]);
    });

    it("builds v4's certificate for a manifest that carried it, before the cluster, as apply does", () => {
        const withTls: V5Cluster = {
            ...manifest,
            metadata: { ...manifest.metadata, annotations: { ...manifest.metadata.annotations, 'ivyo-upgrade.ivorysql.org/v4-tls': 'hippo-tls-keypair,hippo-ca' } },
            spec: { ...manifest.spec, customTLSSecret: { name: 'hippo-v5-v4-tls' }, customReplicationTLSSecret: { name: 'hippo-repl' } },
        };
        const secrets = new Set(['hippo-hippo-secret', 'hippo-tls-keypair', 'hippo-ca', 'hippo-repl']);
        const plan = planLogicalApply(state({ manifest: withTls, secrets }), { copy: 'dump', keepPasswords: true });
        expect(plan.slice(0, 3)).toEqual([
            expect.objectContaining({ kind: 'copy-password' }),
            { kind: 'build-tls', to: 'hippo-v5-v4-tls', keyPair: 'hippo-tls-keypair', ca: 'hippo-ca' },
            { kind: 'apply-cluster' },
        ]);
        expect(describeLogicalAction(plan[1]!, state({ manifest: withTls }))).toBe(
            "build Secret hippo-v5-v4-tls from v4's key pair hippo-tls-keypair and CA hippo-ca (tls.crt, tls.key, ca.crt), in the cluster (never printed)",
        );
    });

    it('once the cluster runs, only the Job of the chosen copy; nothing once it succeeded', () => {
        const plan = planLogicalApply(state(ready), { copy: 'replicate', keepPasswords: true });
        expect(plan).toEqual([
            { kind: 'create-job', step: 'replicate', job: 'hippo-v5-ivyo-upgrade-replicate' },
            { kind: 'wait-job', step: 'replicate', job: 'hippo-v5-ivyo-upgrade-replicate' },
        ]);
        expect(planLogicalApply(state({ ...ready, jobs: { replicate: finished('hippo-v5-ivyo-upgrade-replicate') } }), { copy: 'replicate', keepPasswords: true })).toEqual([]);
    });

    it('refuses without v4, over a cluster it did not make, after a failed Job, and the other copy over a started one', () => {
        refused(
            () => planLogicalApply(state({ v4: null }), { copy: 'dump', keepPasswords: true }),
            'pgcluster hippo not found in namespace pgo: a logical move copies from the running v4 cluster',
        );
        const foreign = { ...running, metadata: { ...running.metadata, annotations: {} } };
        refused(() => planLogicalApply(state({ cluster: foreign }), { copy: 'dump', keepPasswords: true }), /was not made by this tool from v4 cluster hippo/);
        refused(
            () => planLogicalApply(state({ ...ready, jobs: { copy: finished('hippo-v5-ivyo-upgrade-copy', false) } }), { copy: 'dump', keepPasswords: true }),
            'Job hippo-v5-ivyo-upgrade-copy failed: read its log (kubectl logs job/hippo-v5-ivyo-upgrade-copy -n pgo)',
        );
        refused(
            () => planLogicalApply(state({ ...ready, jobs: { copy: finished('hippo-v5-ivyo-upgrade-copy') } }), { copy: 'replicate', keepPasswords: true }),
            /is being filled by --copy dump/,
        );
    });

    it('refuses --copy replicate where the preflight found what replication cannot carry', () => {
        const facts: PreflightFacts = {
            server: { serverVersion: 130010, walLevel: 'replica', databases: [], roles: [] },
            databases: { hippo: { withoutKey: [], tables: 1, unlogged: [], largeObjects: 2, extensions: [], sequences: 0 } },
        };
        const s = state({ ...ready, preflight: { readAt: 'now', facts } });
        refused(() => planLogicalApply(s, { copy: 'replicate', keepPasswords: true }), /wal-level: wal_level is replica[\s\S]*large-objects: database hippo: 2 large objects/);
        expect(kinds(planLogicalApply(s, { copy: 'dump', keepPasswords: true }))).toEqual(['create-job', 'wait-job']);
    });
});

describe('planCutover', () => {
    const replicated = { ...ready, jobs: { replicate: finished('hippo-v5-ivyo-upgrade-replicate') } };

    it('needs a finished replication, then runs its Job once; the undo is a Job of its own', () => {
        refused(
            () => planCutover(state(ready), { undo: false }),
            /has no finished replication in namespace pgo: run "kubectl ivyo-upgrade apply hippo -n pgo --method logical --copy replicate/,
        );
        expect(planCutover(state(replicated), { undo: false })).toEqual([
            { kind: 'create-job', step: 'cutover', job: 'hippo-v5-ivyo-upgrade-cutover' },
            { kind: 'wait-job', step: 'cutover', job: 'hippo-v5-ivyo-upgrade-cutover' },
        ]);
        const cut = { ...replicated, jobs: { ...replicated.jobs, cutover: finished('hippo-v5-ivyo-upgrade-cutover') } };
        expect(planCutover(state(cut), { undo: false })).toEqual([]);
        expect(kinds(planCutover(state(cut), { undo: true }))).toEqual(['create-job', 'wait-job']);
        expect(planCutover(state(cut), { undo: true })[0]).toMatchObject({ step: 'undo', job: 'hippo-v5-ivyo-upgrade-undo' });
    });
});

describe('planPreflight', () => {
    const snapshot = snapshotOf(SCENARIOS.fresh());
    const inspection = inspectCluster(snapshot, snapshot.pgclusters[0] as Pgcluster, { flavor: IVYO, installed: true, selectedBy: 'default' });
    const s = (extra: Partial<PreflightState> = {}): PreflightState => ({ namespace: 'pgo', v4Cluster: 'hippo', inspection, job: null, answer: null, recorded: null, ...extra });
    const job = 'hippo-ivyo-upgrade-preflight';

    const ours = (uid: string) => ({ since: 'T1', ours: new Set([uid]) });
    const none = (since: string) => ({ since, ours: new Set<string>() });
    const mine = { ...finished(job), metadata: { name: job, uid: 'j1' } };

    it("runs the Job, waits, records; records this prepare's finished Job; nothing once recorded by this prepare", () => {
        expect(planPreflight(s(), none('T1')).map((a) => a.kind)).toEqual(['create-preflight-job', 'wait-preflight-job', 'record-preflight']);
        expect(planPreflight(s({ job: { ...mine, status: {} } }), none('T1')).map((a) => a.kind)).toEqual(['wait-preflight-job', 'record-preflight']);
        expect(planPreflight(s({ job: mine, answer: '{}' }), ours('j1')).map((a) => a.kind)).toEqual(['record-preflight']);
        const recorded = { readAt: 'T2', facts: { server: { serverVersion: 1, walLevel: 'logical', databases: [], roles: [] }, databases: {} } };
        expect(planPreflight(s({ job: mine, recorded }), none('T1'))).toEqual([]);
    });

    it("reads v4 afresh: the finished Job of an earlier prepare goes first, recorded or not; this prepare's own is recorded, not run again", () => {
        const earlier = { readAt: 'T0', facts: { server: { serverVersion: 1, walLevel: 'logical', databases: [], roles: [] }, databases: {} } };
        const again = ['delete-preflight-job', 'create-preflight-job', 'wait-preflight-job', 'record-preflight'];
        expect(planPreflight(s({ job: mine, recorded: earlier, answer: '{}' }), none('T3')).map((a) => a.kind)).toEqual(again);
        expect(planPreflight(s({ job: mine, answer: '{}' }), none('T3')).map((a) => a.kind)).toEqual(again);
        // The Job this prepare created has finished: its answer replaces the earlier record.
        expect(planPreflight(s({ job: mine, recorded: earlier, answer: '{}' }), { since: 'T3', ours: new Set(['j1']) }).map((a) => a.kind)).toEqual(['record-preflight']);
    });

    it('refuses a v4 standby, a gone v4, and a finished Job whose answer cannot be read', () => {
        const standby = inspectCluster(
            snapshotOf(SCENARIOS.fresh().map((o: KubeObject) => (o.kind === 'Pgcluster' ? { ...o, spec: { ...(o as Pgcluster).spec, standby: true } } : o))),
            { ...(snapshot.pgclusters[0] as Pgcluster), spec: { ...(snapshot.pgclusters[0] as Pgcluster).spec, standby: true } },
            { flavor: IVYO, installed: true, selectedBy: 'default' },
        );
        refused(() => planPreflight(s({ inspection: standby }), none('T1')), /v4-standby/);
        refused(() => planPreflight(s({ inspection: null }), none('T1')), 'pgcluster hippo not found in namespace pgo');
        refused(() => planPreflight(s({ job: mine }), ours('j1')), `Job ${job} finished, but its answer is not in its pod's termination message`);
    });
});
