import { describe, expect, it } from 'vitest';
import type { Deployment, Pgcluster } from '../../src/kube/types.js';
import { describePromote, planPromote, type PromoteAction } from '../../src/plan/promote.js';
import { PROMOTED_MARK } from '../../src/v4/names.js';
import { replayProof } from '../../src/v5/replay.js';
import { inspectCluster } from '../../src/v4/model.js';
import { SCENARIOS } from '../fixtures/v4/cluster.js';
import { snapshotOf } from '../support/snapshot.js';
import { FLAVORS } from '../../src/targets/flavors.js';
import type { V5Cluster } from '../../src/v5/cluster.js';
import { SOURCE_ANNOTATION } from '../../src/v5/manifest.js';
import type { PromoteState } from '../../src/v5/promote-state.js';

const standby: V5Cluster = {
    apiVersion: 'postgres-operator.crunchydata.com/v1beta1',
    kind: 'PostgresCluster',
    metadata: { name: 'hippo-v5', namespace: 'pgo', uid: 'u5', annotations: { [SOURCE_ANNOTATION]: 'hippo' } },
    spec: { standby: { enabled: true, repoName: 'repo1' }, users: [{ name: 'hippo' }] },
};
const running: Pgcluster = { metadata: { name: 'hippo', namespace: 'pgo', uid: 'u4' }, spec: {}, status: { state: 'pgcluster Initialized' } };
const deployment = (name: string, replicas: number): Deployment => ({ metadata: { name }, spec: { replicas } });

function state(extra: Partial<PromoteState> = {}): PromoteState {
    return {
        namespace: 'pgo',
        flavor: FLAVORS.pgo,
        v4Cluster: 'hippo',
        v5Name: 'hippo-v5',
        pgcluster: running,
        v4Deployments: [deployment('hippo', 1), deployment('hippo-backrest-shared-repo', 1)],
        v4Pods: ['hippo-abc'],
        cluster: standby,
        secrets: new Set(['hippo-hippo-secret', 'hippo-v5-pguser-hippo']),
        replay: null,
        role: null,
        archiveAsync: null,
        ...extra,
    };
}
const kinds = (a: PromoteAction[]) => a.map((x) => x.kind);
const marked = { ...running, metadata: { ...running.metadata, annotations: { [PROMOTED_MARK]: 'hippo-v5' } } };
const down: Pgcluster = { ...marked, spec: { shutdown: true }, status: { state: 'pgcluster Shutdown' } };
const stopped = { pgcluster: down, v4Deployments: [deployment('hippo', 0), deployment('hippo-backrest-shared-repo', 0)], v4Pods: [] };

describe('planPromote', () => {
    it('marks v4, shuts it down the v4 way and waits for every Deployment and pod to be gone, never promoting while v4 runs', () => {
        expect(kinds(planPromote(state(), { confirmReplayed: true }))).toEqual(['mark-v4', 'shutdown-v4', 'wait-v4-shutdown']);
        // v4's state says Shutdown, but a Deployment is not at 0 yet: still waiting, whatever the user confirmed.
        const half = planPromote(state({ pgcluster: down, v4Pods: [] }), { confirmReplayed: true });
        expect(half).toEqual([{ kind: 'wait-v4-shutdown', remaining: ['deployment hippo', 'deployment hippo-backrest-shared-repo'] }]);
        expect(planPromote(state({ ...stopped, v4Pods: ['hippo-abc'] }), { confirmReplayed: true })).toEqual([{ kind: 'wait-v4-shutdown', remaining: ['pod hippo-abc'] }]);
    });

    it("once v4 is down: promotes when the standby has replayed v4's newest archived segment, waits while it has not", () => {
        const proof = (replayed: string) => replayProof(replayed, '16777216', '000000010000000000000005');
        const done = proof('0/6000000');
        expect(planPromote(state({ ...stopped, replay: { proof: done! } }), { confirmReplayed: false })).toEqual([{ kind: 'promote', proof: done }]);
        const behind = proof('0/5FFFFF8');
        expect(planPromote(state({ ...stopped, replay: { proof: behind! } }), { confirmReplayed: true })).toEqual([{ kind: 'wait-replay', proof: behind }]);
        expect(describePromote({ kind: 'wait-replay', proof: behind! }, state())).toBe(
            "wait for hippo-v5 to replay v4's last archived WAL (at 0/5FFFFF8; the newest segment, 000000010000000000000005, ends at 0/6000000)",
        );
    });

    it('where the replay cannot be read, stops saying how to check it, and promotes only with --confirm-replayed', () => {
        const unreadable = { ...stopped, replay: { unreadable: 'no pod of hippo-v5 is its standby leader' } };
        expect(() => planPromote(state(unreadable), { confirmReplayed: false })).toThrow(
            /v4 cluster hippo is shut down; hippo-v5 is still a standby\. promote could not check that it replayed everything v4 archived \(no pod of hippo-v5 is its standby leader\)[\s\S]*pg_last_wal_replay_lsn\(\)[\s\S]*pgbackrest info[\s\S]*kubectl ivyo-upgrade promote hippo -n pgo --confirm-replayed/,
        );
        expect(planPromote(state(unreadable), { confirmReplayed: true })).toEqual([{ kind: 'promote' }]);
    });

    it('a promoted standby: the mark if missing, then the replication role in its primary once it takes writes; nothing once there', () => {
        const promoted = { ...standby, spec: { ...standby.spec, standby: { enabled: false, repoName: 'repo1' } } };
        const after = (role: PromoteState['role'], pgcluster: Pgcluster = down) =>
            planPromote(state({ ...stopped, pgcluster, cluster: promoted, role }), { confirmReplayed: false });
        expect(kinds(after(null, { ...running, spec: { shutdown: true } }))).toEqual(['mark-v4']);
        expect(after({ waiting: 'no pod of hippo-v5 is its primary yet' })).toEqual([{ kind: 'wait-primary', why: 'no pod of hippo-v5 is its primary yet' }]);
        expect(after({ ready: false, pod: 'hippo-v5-00-abcd-0' })).toEqual([{ kind: 'create-replication-role', pod: 'hippo-v5-00-abcd-0' }]);
        expect(after({ ready: true, pod: 'hippo-v5-00-abcd-0' })).toEqual([]);
        // Where the pod cannot be read, nothing is planned: the command prints the SQL and how to run it.
        expect(after({ unreadable: 'no pod of hippo-v5 runs' })).toEqual([]);
    });

    it("refuses before anything where v4's own pgBackRest configuration archives asynchronously: its spool is out of the proof's sight", () => {
        expect(() => planPromote(state({ archiveAsync: 'ConfigMap hippo-config-backrest a.conf [global] archive-async=y' }), { confirmReplayed: true })).toThrow(
            /v4 archives asynchronously \(ConfigMap hippo-config-backrest a\.conf \[global\] archive-async=y\): a segment still in its spool/,
        );
    });

    it('refuses: no standby, one it did not make, a cluster that is no standby, v4 gone, passwords not copied yet', () => {
        const o = { confirmReplayed: true };
        expect(() => planPromote(state({ cluster: null }), o)).toThrow(
            /no PostgresCluster hippo-v5 in namespace pgo: make the standby first \("kubectl ivyo-upgrade apply hippo -n pgo --method standby --target pgo"\)/,
        );
        expect(() => planPromote(state({ cluster: { ...standby, metadata: { ...standby.metadata, annotations: {} } } }), o)).toThrow(
            /was not made by this tool from v4 cluster hippo/,
        );
        expect(() => planPromote(state({ cluster: { ...standby, spec: {} } }), o)).toThrow(/is no standby/);
        expect(() => planPromote(state({ pgcluster: null }), o)).toThrow(/pgcluster hippo is gone from namespace pgo: promote cannot shut it down the v4 way/);
        expect(() => planPromote(state({ secrets: new Set(['hippo-hippo-secret']) }), o)).toThrow(
            /the v4 password of hippo is not in hippo-v5's Secrets yet \(hippo-v5-pguser-hippo\): run "kubectl ivyo-upgrade apply hippo -n pgo --method standby --target pgo" again/,
        );
    });
});

describe('a v4 cluster promote handed over', () => {
    it('is blocked for every method: its data belongs to the promoted cluster, and v4 must not run again', () => {
        const objects = SCENARIOS.s3('pgo').map((o) =>
            o.kind === 'Pgcluster' ? { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, [PROMOTED_MARK]: 'hippo-v5' } } } : o,
        );
        const snapshot = snapshotOf(objects);
        const i = inspectCluster(snapshot, snapshot.pgclusters[0] as Pgcluster, { flavor: FLAVORS.pgo, installed: true, selectedBy: 'flag' });
        for (const m of ['volumes', 'backups', 'standby', 'logical'] as const) {
            expect(i.methods[m].blockers.find((b) => b.code === 'v4-promoted')?.message, m).toMatch(/pgcluster hippo handed its data to hippo-v5 \(kubectl ivyo-upgrade promote/);
        }
    });
});
