import { describe, expect, it } from 'vitest';
import type { KubeObject, Pgcluster } from '../../src/kube/types.js';
import { planApply } from '../../src/plan/apply.js';
import { planPrepare } from '../../src/plan/prepare.js';
import { FLAVORS } from '../../src/targets/flavors.js';
import { collisionsFor, inspectCluster } from '../../src/v4/model.js';
import { standbyManifest } from '../../src/v5/backups-manifest.js';
import { carry } from '../../src/v5/carry.js';
import { standbyVerdict } from '../../src/v5/generate-checks.js';
import { SCENARIOS, v4Cluster } from '../fixtures/v4/cluster.js';
import { customizedCapture } from '../fixtures/v4/customized.js';
import { CRD_FILES, celViolations } from '../support/cel.js';
import { IMAGES } from '../support/golden.js';
import { prepareStateOf, snapshotOf } from '../support/snapshot.js';

const target = { flavor: FLAVORS.pgo, installed: true, selectedBy: 'flag' as const };
/** The inspection generate reads for a standby named hippo-v5: collisions are those of that name (src/v4/source.ts). */
const inspect = (objects: KubeObject[], flavor = FLAVORS.pgo) => {
    const snapshot = snapshotOf(objects);
    const i = inspectCluster(snapshot, snapshot.pgclusters[0] as Pgcluster, { ...target, flavor });
    const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
    const existing = { ConfigMap: byKind('ConfigMap'), Service: byKind('Service'), Deployment: byKind('Deployment'), Secret: byKind('Secret') };
    return { ...i, target: { ...i.target, collisions: collisionsFor('hippo-v5', existing) } };
};
const request = { flavor: FLAVORS.pgo, ...IMAGES, v4Live: true, name: 'hippo-v5' };
const codes = (f: { code: string }[]) => f.map((x) => x.code);

describe('generate --method standby', () => {
    it("follows v4's S3 repository at its exact path, as a standby with no data source, beside v4 under another name", () => {
        const i = inspect(SCENARIOS.s3('pgo'));
        const verdict = standbyVerdict(i, request);
        expect(verdict.refusals).toEqual([]);
        expect(verdict.repo).toBe('s3');
        const m = standbyManifest(i, { flavor: FLAVORS.pgo, name: 'hippo-v5', namespace: 'pgo', ...IMAGES, postgresVersion: 13, repo: 's3' });
        expect(m.metadata).toEqual({ name: 'hippo-v5', namespace: 'pgo', annotations: { 'ivyo-upgrade.ivorysql.org/v4-cluster': 'hippo' } });
        expect(m.spec?.standby).toEqual({ enabled: true, repoName: 'repo1' });
        expect(m.spec?.dataSource).toBeUndefined();
        expect(m.spec?.backups?.pgbackrest).toMatchObject({
            repos: [{ name: 'repo1', s3: { bucket: 'hippo-backups', endpoint: 's3.us-east-1.amazonaws.com', region: 'us-east-1' } }],
            global: { 'repo1-path': '/backrestrepo/hippo-backrest-shared-repo' },
            configuration: [{ secret: { name: 'hippo-v5-v4-repo-credentials' } }],
        });
        expect(m.spec?.backups?.pgbackrest?.repos?.[0]?.schedules).toBeUndefined();
        expect(celViolations(CRD_FILES.pgo, m)).toEqual([]);
    });

    it('refuses a repository it cannot follow, v4 gone, an incomplete S3 repository, a name v4 holds, and IVYO', () => {
        expect(codes(standbyVerdict(inspect(SCENARIOS.fresh('pgo')), request).refusals)).toContain('standby-needs-cloud-repo');
        const gone = standbyVerdict(inspect(SCENARIOS.s3('pgo')), { ...request, v4Live: false }).refusals;
        expect(gone.map((r) => r.message)).toContainEqual(expect.stringContaining('--method backups'));
        const partial = v4Cluster({ namespace: 'pgo', repo: { types: ['s3'], s3: { bucket: 'b', endpoint: '', region: 'r' } } });
        expect(codes(standbyVerdict(inspect(partial), request).refusals)).toContain('repo-s3-unknown');
        // The name v4 holds: were the standby called hippo, v4's own objects would collide (the inspection of that name).
        const snapshot = snapshotOf(SCENARIOS.s3('pgo'));
        const named = standbyVerdict(inspectCluster(snapshot, snapshot.pgclusters[0] as Pgcluster, target), { ...request, name: 'hippo' });
        expect(named.refusals.find((r) => r.code === 'name-collision')?.message).toMatch(/--method standby --target pgo --name <another name>/);
        expect(codes(standbyVerdict(inspect(SCENARIOS.s3('pgo'), FLAVORS.ivyo), { ...request, flavor: FLAVORS.ivyo }).refusals)).toContain('target-cannot-run-v4-data');
    });

    it("carries v4's configuration but not its schedules, which would back up into v4's path: named for after promote", () => {
        const i = inspect(SCENARIOS.s3('pgo'));
        const m = standbyManifest(i, { flavor: FLAVORS.pgo, name: 'hippo-v5', namespace: 'pgo', ...IMAGES, postgresVersion: 13, repo: 's3' });
        const { manifest: carried, report } = carry(m, customizedCapture(), FLAVORS.pgo, { physical: true, standby: true });
        expect(carried.spec?.backups?.pgbackrest?.repos?.[0]?.schedules).toBeUndefined();
        expect(report.find((r) => r.from.startsWith('schedule hippo-daily-full'))).toMatchObject({ outcome: 'action', why: expect.stringContaining('once it is promoted') });
        expect(carried.spec?.standby).toEqual({ enabled: true, repoName: 'repo1' });
    });
});

describe('prepare --method standby and apply of a standby', () => {
    const OPTS = { method: 'standby' as const, deleteData: false, backupType: 'full' as const, deleteReplicaData: false, keepV4Labels: false };
    const stateOf = (objects: KubeObject[]) => prepareStateOf(objects, {}, target);

    it('prepare changes nothing of v4: it records v4 and its configuration, once; no PV, replica or delete step', () => {
        const s = stateOf(SCENARIOS.s3('pgo'));
        expect(planPrepare(s, OPTS)).toEqual([{ kind: 'record' }]);
        expect(planPrepare({ ...s, record: s.live }, OPTS)).toEqual([]);
        expect(planPrepare({ ...s, record: s.live, liveCapture: customizedCapture() }, OPTS)).toEqual([{ kind: 'record-capture' }]);
    });

    it('prepare refuses without a running v4, and for a repository a standby cannot follow', () => {
        const s = stateOf(SCENARIOS.s3('pgo'));
        expect(() => planPrepare({ ...s, pgcluster: null, live: null, record: s.live }, OPTS)).toThrow(/a standby follows the running v4 cluster/);
        expect(() => planPrepare(stateOf(SCENARIOS.fresh('pgo')), OPTS)).toThrow(/standby-needs-cloud-repo/);
        const partial = v4Cluster({ namespace: 'pgo', repo: { types: ['s3'], s3: { bucket: 'b', endpoint: '', region: 'r' } } });
        expect(() => planPrepare(stateOf(partial), OPTS)).toThrow(/repo-s3-unknown: pgcluster hippo has no complete S3 repository/);
    });

    it('apply creates a standby while v4 runs (the other methods wait for prepare to remove v4)', () => {
        const i = inspect(SCENARIOS.s3('pgo'));
        const manifest = standbyManifest(i, { flavor: FLAVORS.pgo, name: 'hippo-v5', namespace: 'pgo', ...IMAGES, postgresVersion: 13, repo: 's3' });
        const state = {
            namespace: 'pgo',
            flavor: FLAVORS.pgo,
            manifest,
            v4Cluster: 'hippo',
            v4Present: true,
            cluster: null,
            pvcs: new Map(),
            secrets: new Set(['hippo-hippo-secret', 'hippo-backrest-repo-config']),
            moveJobs: [],
            failedJobLogs: new Map(),
        };
        const on = { keepPasswords: true, wait: true, preview: false };
        expect(planApply(state, on).map((a) => a.kind)).toEqual(['copy-password', 'copy-repo-credentials', 'apply-cluster', 'wait-bootstrap', 'wait-instances']);
        const volumes = { ...state, manifest: { ...manifest, spec: { ...manifest.spec, standby: undefined } } };
        expect(() => planApply(volumes, on)).toThrow(/pgcluster hippo still exists/);
    });
});
