import { bareCapture } from '../fixtures/v4/customized.js';
import { describe, expect, it } from 'vitest';
import type { Job, KubeObject, PersistentVolume, Pgcluster } from '../../src/kube/types.js';
import type { Inspection } from '../../src/v4/inspection.js';
import type { TargetChoice } from '../../src/targets/choice.js';
import type { PrepareState } from '../../src/v4/prepare-state.js';
import { jobFailed } from '../../src/kube/jobs.js';
import { planPrepare, prepareNotes, type PrepareAction } from '../../src/plan/prepare.js';
import { FLAVORS } from '../../src/targets/flavors.js';
import { v4Cluster } from '../fixtures/v4/cluster.js';
import { prepareStateOf } from '../support/snapshot.js';

const OPTS = { method: 'volumes' as const, deleteData: false, backupType: 'full' as const, deleteReplicaData: false, keepV4Labels: false };
const target: TargetChoice = { flavor: FLAVORS.pgo, installed: true, selectedBy: 'flag' };

/** The state prepare reads from a namespace holding these objects. */
const stateOf = (objects: KubeObject[], extra: Partial<PrepareState> = {}, to = target) => prepareStateOf(objects, extra, to);
const kinds = (plan: PrepareAction[]) => plan.map((a) => (a.kind === 'scale-down' || a.kind === 'wait-scale-down' ? `${a.kind}:${a.deployment}` : a.kind));
const failedOver = () => v4Cluster({ primary: 'hippo-jgut', replicas: ['hippo'], wal: true });
const job = (name: string, status: Job['status'], backoffLimit?: number): Job => ({ metadata: { name }, spec: { backoffLimit }, status });

describe("prepare captures v4's configuration before any delete", () => {
    const capture = bareCapture();
    it('a record made before captures gets one while v4 still has its configuration; a recorded capture is never replaced', () => {
        const recorded = { record: stateOf(failedOver()).live, liveCapture: capture };
        const plan = kinds(planPrepare(stateOf(failedOver(), recorded), OPTS));
        expect(plan).toContain('record-capture');
        // Ahead of the delete.
        expect(plan.indexOf('record-capture')).toBeLessThan(plan.indexOf('delete-pgcluster'));
        expect(kinds(planPrepare(stateOf(failedOver(), { ...recorded, recordedCapture: capture, liveCapture: null }), OPTS))).not.toContain('record-capture');
    });
});

describe('planPrepare', () => {
    it('plans the whole method from a live v4 cluster, primary never scaled down', () => {
        const plan = planPrepare(stateOf(failedOver()), OPTS);
        expect(kinds(plan)).toEqual([
            'retain-pv',
            'retain-pv',
            'retain-pv',
            'record',
            'scale-down:hippo',
            'annotate-keep',
            'delete-pgcluster',
            'remove-v4-labels',
            'remove-v4-labels',
            'remove-v4-labels',
        ]);
        expect(plan[0]).toEqual({ kind: 'retain-pv', pv: 'pv-pgo-hippo-jgut', pvc: 'hippo-jgut', from: 'Delete' });
        expect(plan.find((a) => a.kind === 'scale-down')).toEqual({ kind: 'scale-down', deployment: 'hippo', deleteData: false });
    });

    it('passes --delete-replica-data on and leaves labels with --keep-v4-labels', () => {
        const plan = planPrepare(stateOf(failedOver()), { ...OPTS, deleteReplicaData: true, keepV4Labels: true });
        expect(plan.find((a) => a.kind === 'scale-down')).toMatchObject({ deleteData: true });
        expect(kinds(plan)).not.toContain('remove-v4-labels');
    });

    it('waits for a scale-down already asked for, and for an unfinished rmdata Job before the delete', () => {
        const objects = failedOver();
        const s = stateOf(objects, {
            pgtasks: [{ metadata: { name: 'hippo-rmdata' } }],
            rmdataJobs: [job('hippo-rmdata-abcd', { active: 1 })],
        });
        s.record = s.live as Inspection;
        expect(kinds(planPrepare(s, OPTS))).toEqual([
            'retain-pv',
            'retain-pv',
            'retain-pv',
            'wait-scale-down:hippo',
            'wait-rmdata',
            'annotate-keep',
            'delete-pgcluster',
            'remove-v4-labels',
            'remove-v4-labels',
            'remove-v4-labels',
        ]);
    });

    it('deletes only once the keep annotations are on the pgcluster', () => {
        const objects = failedOver().filter((o) => !(o.kind === 'Deployment' && o.metadata.name === 'hippo'));
        const cluster = objects.find((o) => o.kind === 'Pgcluster')!;
        cluster.metadata.annotations = { ...cluster.metadata.annotations, 'keep-data': 'true', 'keep-backups': 'true' };
        const s = stateOf(objects);
        s.record = s.live;
        expect(kinds(planPrepare(s, OPTS)).slice(3)).toEqual(['delete-pgcluster', 'remove-v4-labels', 'remove-v4-labels', 'remove-v4-labels']);
    });

    it('after the delete, waits for v4 to clean up, then only removes labels', () => {
        const s = stateOf(failedOver());
        const record = s.live!;
        const gone = stateOf(
            failedOver().filter((o) => o.kind === 'PersistentVolumeClaim' || o.kind === 'PersistentVolume'),
            { record },
        );
        const waiting = { ...gone, deployments: s.deployments.slice(0, 1) };
        expect(kinds(planPrepare(waiting, OPTS))[3]).toBe('wait-v4-cleanup');
        expect(kinds(planPrepare(gone, OPTS)).slice(3)).toEqual(['remove-v4-labels', 'remove-v4-labels', 'remove-v4-labels']);
    });

    it('stops on a failover between steps, on a primary it cannot be sure of, and on a failed rmdata Job', () => {
        const s = stateOf(failedOver());
        s.record = { ...s.live!, primary: { ...s.live!.primary, deployment: 'hippo' } };
        expect(() => planPrepare(s, OPTS)).toThrow(/changed from hippo to hippo-jgut during prepare \(a failover\)/);
        expect(() => planPrepare(stateOf(v4Cluster({ primary: 'hippo-jgut', replicas: ['hippo'], masterPodOf: 'hippo' })), OPTS)).toThrow(
            /primary-disagrees: the pgcluster's current-primary is hippo-jgut/,
        );
        const failed = stateOf(failedOver(), { rmdataJobs: [job('hippo-rmdata-x', { failed: 1, conditions: [{ type: 'Failed', status: 'True' }] }, 0)] });
        expect(() => planPrepare(failed, OPTS)).toThrow(/rmdata Job hippo-rmdata-x failed/);
    });

    it('stops before anything when v4 would ignore the delete (upgrade-in-progress)', () => {
        const objects = failedOver();
        const cluster = objects.find((o) => o.kind === 'Pgcluster')!;
        cluster.metadata.annotations = { ...cluster.metadata.annotations, 'upgrade-in-progress': 'true' };
        expect(() => planPrepare(stateOf(objects), OPTS)).toThrow(/annotated upgrade-in-progress: the v4 operator would ignore its deletion/);
    });

    it('stops when a reused PVC is gone or terminating once v4 is deleted', () => {
        const record = stateOf(failedOver()).live!;
        const objects = failedOver().filter((o) => o.kind === 'PersistentVolumeClaim' || o.kind === 'PersistentVolume');
        objects.find((o) => o.metadata.name === 'hippo-jgut' && o.kind === 'PersistentVolumeClaim')!.metadata.deletionTimestamp = '2026-11-21T00:00:00Z';
        expect(() => planPrepare(stateOf(objects, { record }), OPTS)).toThrow(/PVC hippo-jgut is gone or being deleted/);
    });

    it('has nothing to do when prepared, and refuses when there is neither cluster nor record', () => {
        const record = stateOf(failedOver()).live!;
        const prepared = failedOver()
            .filter((o) => o.kind === 'PersistentVolumeClaim' || o.kind === 'PersistentVolume')
            .map((o) =>
                o.kind === 'PersistentVolume'
                    ? { ...o, spec: { ...(o as PersistentVolume).spec, persistentVolumeReclaimPolicy: 'Retain' } }
                    : { ...o, metadata: { ...o.metadata, labels: {} } },
            );
        expect(planPrepare(stateOf(prepared, { record }), OPTS)).toEqual([]);
        expect(() => planPrepare(stateOf([]), OPTS)).toThrow(/not found in namespace "pgo", and no record/);
    });
});

describe('jobFailed', () => {
    it('is true only for a Job that failed for good', () => {
        expect(jobFailed(job('a', { active: 1 }, 0))).toBe(false);
        expect(jobFailed(job('b', { failed: 1, active: 1 }, 6))).toBe(false);
        expect(jobFailed(job('c', { failed: 1, conditions: [{ type: 'Failed', status: 'True' }] }, 0))).toBe(true);
        expect(jobFailed(job('d', { failed: 7 }))).toBe(true);
        expect(jobFailed(job('e', { succeeded: 1, failed: 3 }, 0))).toBe(false);
    });

    describe('the gate: refuses before any write whenever inspect shows a blocker for the method and target', () => {
        const edit = (objects: KubeObject[], pick: (o: KubeObject) => boolean, change: (o: KubeObject) => KubeObject) => objects.map((o) => (pick(o) ? change(o) : o));
        const isPgcluster = (o: KubeObject) => o.kind === 'Pgcluster';
        const cases: [string, KubeObject[], string, typeof target?][] = [
            ['the primary deployment is gone', failedOver().filter((o) => !(o.kind === 'Deployment' && o.metadata.name === 'hippo-jgut')), 'primary-pvc-unknown'],
            ['the primary data PVC is gone', failedOver().filter((o) => !(o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'hippo-jgut')), 'primary-pvc-missing'],
            [
                'a reused PVC is controlled by another object',
                edit(
                    failedOver(),
                    (o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'hippo-jgut-wal',
                    (o) => ({ ...o, metadata: { ...o.metadata, ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u', controller: true }] } }),
                ),
                'pvc-controlled',
            ],
            ['the pgcluster is not Initialized', v4Cluster({ state: 'pgcluster Bootstrapping' }), 'v4-not-initialized'],
            ['the target is IVYO', failedOver(), 'target-cannot-run-v4-data', { flavor: FLAVORS.ivyo, installed: true, selectedBy: 'default' }],
            ['the cluster is a v4 standby', edit(failedOver(), isPgcluster, (o) => ({ ...o, spec: { ...(o as Pgcluster).spec, standby: true } }) as KubeObject), 'v4-standby'],
            ['the cluster has a tablespace', v4Cluster({ tablespaces: ['ts1'] }), 'tablespace'],
            ['a replica v4 cannot scale down', v4Cluster({ replicas: ['hippo-abcd'] }).filter((o) => o.kind !== 'Pgreplica'), 'replica-cannot-scale-down'],
        ];
        it.each(cases)('%s', (_what, objects, code, to) => {
            expect(() => planPrepare(stateOf(objects, {}, to), OPTS)).toThrow(new RegExp(`refused before any change:\\n(.*\\n)*  ${code}: `));
        });

        it("the image for the data's major does not stop prepare: a note names the flags generate will need", () => {
            const s = stateOf(failedOver());
            expect(s.live?.methods.volumes.blockers.map((b) => b.code)).toEqual(['postgres-major-no-default-image']);
            expect(kinds(planPrepare(s, OPTS))).toContain('delete-pgcluster');
            expect(prepareNotes(s, 'volumes')).toEqual([expect.stringContaining('pass --image and --pgbackrest-image for PostgreSQL 13 to generate')]);
        });

        it("waits on a replica prepare asked v4 to remove, seen between rmdata's Pgreplica delete and its Deployment delete", () => {
            const between = v4Cluster({ replicas: ['hippo-abcd', 'hippo-efgh'] }).filter((o) => !(o.kind === 'Pgreplica' && o.metadata.name === 'hippo-abcd'));
            const asked = { pgtasks: [{ metadata: { name: 'hippo-abcd-rmdata' } }] };
            expect(kinds(planPrepare(stateOf(between, asked), OPTS)).filter((k) => k.includes('scale-down'))).toEqual(['wait-scale-down:hippo-abcd', 'scale-down:hippo-efgh']);
            // Without prepare's pgtask, the same state is a replica v4 cannot remove.
            expect(() => planPrepare(stateOf(between), OPTS)).toThrow(/replica-cannot-scale-down: replica hippo-abcd /);
            // Asking for one replica does not pass over another v4 cannot remove.
            const both = between.filter((o) => o.kind !== 'Pgreplica');
            expect(() => planPrepare(stateOf(both, asked), OPTS)).toThrow(/replica-cannot-scale-down: replica hippo-efgh /);
        });

        it('passes over a replica v4 cannot scale down once it is scaled to zero by hand', () => {
            const objects = edit(
                v4Cluster({ replicas: ['hippo-abcd'] }).filter((o) => o.kind !== 'Pgreplica'),
                (o) => o.kind === 'Deployment' && o.metadata.name === 'hippo-abcd',
                (o) => ({ ...o, spec: { ...(o as unknown as { spec: object }).spec, replicas: 0 } }) as KubeObject,
            );
            expect(kinds(planPrepare(stateOf(objects), OPTS))).toEqual([
                'retain-pv',
                'retain-pv',
                'record',
                'annotate-keep',
                'delete-pgcluster',
                'remove-v4-labels',
                'remove-v4-labels',
            ]);
        });
    });

    it('leaves the repo PVC of an S3-only cluster alone: v4 never wrote to it, and v5 keeps the S3 repository', () => {
        const s3Only = v4Cluster({ repo: { types: ['s3'], s3: { bucket: 'b', endpoint: 'e', region: 'r' } } });
        const plan = planPrepare(stateOf(s3Only), OPTS);
        expect(plan.filter((a) => a.kind === 'retain-pv' || a.kind === 'remove-v4-labels').map((a) => ('pvc' in a ? a.pvc : ''))).toEqual(['hippo', 'hippo']);
    });
});
