import { describe, expect, it } from 'vitest';
import type { Job, PersistentVolumeClaim } from '../../src/kube/types.js';
import { planApply, type ApplyAction } from '../../src/plan/apply.js';
import type { ApplyState } from '../../src/v5/apply-state.js';
import type { V5Cluster } from '../../src/v5/cluster.js';
import { FLAVORS } from '../../src/targets/flavors.js';
import { SOURCE_ANNOTATION } from '../../src/v5/manifest.js';

const P = FLAVORS.pgo.labelPrefix;
const VOLUMES = {
    pgDataVolume: { pvcName: 'hippo-jgut', directory: 'hippo-jgut' },
    pgWALVolume: { pvcName: 'hippo-jgut-wal' },
    pgBackRestVolume: { pvcName: 'hippo-pgbr-repo', directory: 'hippo-backrest-shared-repo' },
};
const manifest: V5Cluster = {
    apiVersion: 'postgres-operator.crunchydata.com/v1beta1',
    kind: 'PostgresCluster',
    metadata: { name: 'hippo', namespace: 'pgo', annotations: { [SOURCE_ANNOTATION]: 'hippo' } },
    spec: { dataSource: { volumes: VOLUMES }, users: [{ name: 'hippo' }] },
};
const ON = { keepPasswords: true, wait: true, preview: false };

function state(extra: Partial<ApplyState> = {}): ApplyState {
    return {
        namespace: 'pgo',
        flavor: FLAVORS.pgo,
        manifest,
        v4Cluster: 'hippo',
        v4Present: false,
        cluster: null,
        pvcs: new Map(),
        secrets: new Set(['hippo-hippo-secret', 'hippo-postgres-secret']),
        moveJobs: [],
        failedJobLogs: new Map(),
        ...extra,
    };
}
const live = (status: V5Cluster['status'] = {}, volumes: object | null = VOLUMES): V5Cluster => ({
    ...manifest,
    metadata: { ...manifest.metadata, uid: 'uid-1' },
    spec: { ...manifest.spec, dataSource: volumes ? { volumes } : {} },
    status,
});
const done = (name: string): Job => ({ metadata: { name }, status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } });
const ownedPvc = (name: string): PersistentVolumeClaim => ({
    metadata: { name, labels: { [`${P}cluster`]: 'hippo' }, ownerReferences: [{ apiVersion: 'x', kind: 'PostgresCluster', name: 'hippo', uid: 'uid-1', controller: true }] },
});
const kinds = (a: ApplyAction[]) => a.map((x) => x.kind);

describe('planApply', () => {
    it('plans the whole apply before the cluster exists, passwords first', () => {
        const plan = planApply(state(), ON);
        expect(kinds(plan)).toEqual([
            'copy-password',
            'apply-cluster',
            'wait-move-jobs',
            'wait-adoption',
            'wait-bootstrap',
            'wait-instances',
            'wait-repo-host',
            'remove-volumes-source',
        ]);
        expect(plan[0]).toEqual({ kind: 'copy-password', user: 'hippo', from: 'hippo-hippo-secret', to: 'hippo-pguser-hippo' });
        expect(plan[2]).toEqual({ kind: 'wait-move-jobs', jobs: ['hippo-move-pgdata-dir', 'hippo-move-pgbackrest-repo-dir'] });
    });

    it('copies no password with --no-keep-passwords, or when the v5 Secret exists already', () => {
        expect(kinds(planApply(state(), { ...ON, keepPasswords: false }))).not.toContain('copy-password');
        expect(kinds(planApply(state({ secrets: new Set(['hippo-hippo-secret', 'hippo-pguser-hippo']) }), ON))).not.toContain('copy-password');
    });

    it('waits for what is left as the operator works', () => {
        const moved = state({ cluster: live(), moveJobs: [done('hippo-move-pgdata-dir'), done('hippo-move-pgbackrest-repo-dir')] });
        expect(kinds(planApply(moved, ON))).toEqual(['wait-adoption', 'wait-bootstrap', 'wait-instances', 'wait-repo-host', 'remove-volumes-source']);
        const adopted = { ...moved, pvcs: new Map(Object.values(VOLUMES).map((v) => [v.pvcName, ownedPvc(v.pvcName)])) };
        expect(kinds(planApply(adopted, ON))).toEqual(['wait-bootstrap', 'wait-instances', 'wait-repo-host', 'remove-volumes-source']);
        const running = state({
            cluster: live({ patroni: { systemIdentifier: '7' }, instances: [{ name: '00', replicas: 1, readyReplicas: 1 }], pgbackrest: { repoHost: { ready: true } } }),
        });
        expect(kinds(planApply(running, ON))).toEqual(['remove-volumes-source']);
    });

    it('never applies a bootstrapped cluster again, and has nothing to do once the section is gone', () => {
        const finished = state({
            cluster: live({ patroni: { systemIdentifier: '7' }, instances: [{ name: '00', replicas: 1, readyReplicas: 1 }], pgbackrest: { repoHost: { ready: true } } }, null),
        });
        expect(planApply(finished, ON)).toEqual([]);
    });

    it('stops while v4 still exists, and on a failed move Job with its log', () => {
        expect(() => planApply(state({ v4Present: true }), ON)).toThrow(
            /pgcluster hippo still exists .* run "kubectl ivyo-upgrade prepare hippo -n pgo --method volumes --target pgo" first/,
        );
        const failed = state({ cluster: live(), failedJobLogs: new Map([['hippo-move-pgdata-dir', 'mv: cannot stat']]) });
        expect(() => planApply(failed, ON)).toThrow(/move Job hippo-move-pgdata-dir failed; last lines of its log:\nmv: cannot stat\n.*delete the Job/s);
    });

    it('with --no-wait, stops after creating the cluster', () => {
        expect(kinds(planApply(state(), { ...ON, wait: false, preview: false }))).toEqual(['copy-password', 'apply-cluster']);
    });

    it('never takes over a v5 cluster of that name it did not make from this v4 cluster', () => {
        const foreign = { ...live(), metadata: { name: 'hippo', namespace: 'pgo', uid: 'uid-9' } };
        expect(() => planApply(state({ cluster: foreign }), ON)).toThrow(
            /PostgresCluster hippo already exists in namespace pgo and was not made by this tool from v4 cluster hippo \(annotation ivyo-upgrade.ivorysql.org\/v4-cluster: none\)/,
        );
        const other = { ...live(), metadata: { ...live().metadata, annotations: { [SOURCE_ANNOTATION]: 'rhino' } } };
        expect(() => planApply(state({ cluster: other }), ON)).toThrow(/annotation ivyo-upgrade.ivorysql.org\/v4-cluster: rhino/);
    });

    it('while v4 still runs: refuses, except for a client preview, which plans the whole apply', () => {
        expect(() => planApply(state({ v4Present: true }), ON)).toThrow(
            /pgcluster hippo still exists in namespace pgo: run "kubectl ivyo-upgrade prepare hippo -n pgo --method volumes --target pgo" first/,
        );
        expect(kinds(planApply(state({ v4Present: true }), { ...ON, preview: true }))).toEqual(kinds(planApply(state(), ON)));
    });

    it("builds the custom certificates generate named from v4's key pair and CA, once, after the replication Secret the user made", () => {
        const withTls: V5Cluster = {
            ...manifest,
            metadata: {
                ...manifest.metadata,
                annotations: {
                    ...manifest.metadata.annotations,
                    'ivyo-upgrade.ivorysql.org/v4-tls': 'hippo-tls-keypair,hippo-ca',
                    'ivyo-upgrade.ivorysql.org/v4-pgbouncer-tls': 'hippo-bouncer,hippo-ca',
                },
            },
            spec: {
                ...manifest.spec,
                customTLSSecret: { name: 'hippo-v4-tls' },
                customReplicationTLSSecret: { name: 'hippo-repl' },
                proxy: { pgBouncer: { customTLSSecret: { name: 'hippo-v4-pgbouncer-tls' } } },
            },
        };
        const secrets = ['hippo-hippo-secret', 'hippo-tls-keypair', 'hippo-ca', 'hippo-bouncer'];
        expect(() => planApply(state({ manifest: withTls, secrets: new Set(secrets) }), ON)).toThrow(
            /Secret hippo-repl \(spec.customReplicationTLSSecret\), which does not exist in namespace pgo: create it with tls.crt, tls.key and ca.crt of a client certificate for _crunchyrepl signed by v4's CA/,
        );
        const plan = planApply(state({ manifest: withTls, secrets: new Set([...secrets, 'hippo-repl']) }), ON);
        expect(plan.filter((a) => a.kind === 'build-tls')).toEqual([
            { kind: 'build-tls', to: 'hippo-v4-tls', keyPair: 'hippo-tls-keypair', ca: 'hippo-ca' },
            { kind: 'build-tls', to: 'hippo-v4-pgbouncer-tls', keyPair: 'hippo-bouncer', ca: 'hippo-ca' },
        ]);
        expect(kinds(plan).indexOf('build-tls')).toBeLessThan(kinds(plan).indexOf('apply-cluster'));
        // Built already: not again.
        expect(kinds(planApply(state({ manifest: withTls, secrets: new Set([...secrets, 'hippo-repl', 'hippo-v4-tls', 'hippo-v4-pgbouncer-tls']) }), ON))).not.toContain(
            'build-tls',
        );
        // v4's Secret gone: refused before anything is written, naming it.
        expect(() => planApply(state({ manifest: withTls, secrets: new Set(['hippo-repl', 'hippo-tls-keypair', 'hippo-bouncer']) }), ON)).toThrow(
            /Secret hippo-v4-tls is to be built from v4's Secrets hippo-tls-keypair and hippo-ca, and hippo-ca does not exist in namespace pgo/,
        );
        // A manifest edited to name another Secret is left as it is.
        const renamed = { ...withTls, spec: { ...withTls.spec, customTLSSecret: { name: 'mine' }, proxy: {} } };
        expect(kinds(planApply(state({ manifest: renamed, secrets: new Set([...secrets, 'hippo-repl']) }), ON))).not.toContain('build-tls');
    });
});
