import { describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/kube/client.js';
import type { Pgcluster } from '../../src/kube/types.js';
import { deleteRequest, send } from '../../src/kube/writes.js';
import { backupSet, backupTask, prepareRequests, scaleDownTask } from '../../src/plan/prepare-procedure.js';
import { releaseRequest } from '../../src/plan/release-procedure.js';
import type { V4Capture } from '../../src/v4/capture.js';
import type { PrepareState } from '../../src/v4/prepare-state.js';
import { UserError } from '../../src/errors.js';
import { parseRecord, recordConfigMap, RECORD_SCHEMA } from '../../src/v4/record.js';
import { inspectCluster } from '../../src/v4/model.js';
import { FLAVORS } from '../../src/targets/flavors.js';
import { SCENARIOS } from '../fixtures/v4/cluster.js';
import { snapshotOf } from '../support/snapshot.js';

const pgcluster: Pgcluster = {
    metadata: { name: 'hippo', namespace: 'pgo' },
    spec: {
        pgoimageprefix: 'registry.example.com/pgo',
        ccpimageprefix: 'registry.example.com/ccp',
        tolerations: [{ key: 'db', operator: 'Exists' }],
        backrestStorageTypes: ['local', 's3'],
    },
};

describe('the pgtasks prepare sends, every parameter pinned (PGO v4.7.10 internal/util/cluster.go, backrestimpl.go)', () => {
    it("scale-down: what `pgo scaledown --target` creates, keeping the replica's PVCs unless asked", () => {
        expect(scaleDownTask(pgcluster, 'hippo-abcd', false)).toEqual({
            apiVersion: 'crunchydata.com/v1',
            kind: 'Pgtask',
            metadata: { name: 'hippo-abcd-rmdata', labels: { 'pg-cluster': 'hippo', pgrmdata: 'true' } },
            spec: {
                name: 'hippo-abcd-rmdata',
                tasktype: 'delete-data',
                parameters: {
                    'delete-data': 'false',
                    'delete-backups': 'false',
                    'image-prefix': 'registry.example.com/pgo',
                    'is-replica': 'true',
                    'is-backup': 'false',
                    'pg-cluster': 'hippo',
                    'replica-name': 'hippo-abcd',
                    'crunchy-pgha-scope': 'hippo',
                    'rmdata-tolerations': '[{"key":"db","operator":"Exists"}]',
                },
            },
        });
        expect((scaleDownTask(pgcluster, 'hippo-abcd', true).spec as { parameters: Record<string, string> }).parameters['delete-data']).toBe('true');
    });

    it("backup: what `pgo backup` creates, marked as this tool's", () => {
        expect(backupTask(pgcluster, 'hippo-backrest-shared-repo-x', 'diff')).toEqual({
            apiVersion: 'crunchydata.com/v1',
            kind: 'Pgtask',
            metadata: {
                name: 'backrest-backup-hippo',
                labels: { 'pg-cluster': 'hippo', pgouser: 'kubectl-ivyo-upgrade' },
                annotations: { 'ivyo-upgrade.ivorysql.org/prepare': 'backups' },
            },
            spec: {
                name: 'backrest-backup-hippo',
                tasktype: 'backrest',
                parameters: {
                    'job-name': 'backrest-backup-hippo',
                    'pg-cluster': 'hippo',
                    podname: 'hippo-backrest-shared-repo-x',
                    containername: 'database',
                    'image-prefix': 'registry.example.com/ccp',
                    'backrest-command': 'backup',
                    'backrest-opts': '--type=diff',
                    'backrest-storage-type': 'local,s3',
                    'backrest-s3-verify-tls': 'true',
                },
            },
        });
    });
});

describe('the delete guard', () => {
    const client = new KubeClient({} as never, 'https://127.0.0.1:1', 0, 'x');
    it.each([
        '/api/v1/namespaces/pgo/persistentvolumeclaims/hippo',
        '/api/v1/namespaces/pgo/persistentvolumeclaims/hippo?propagationPolicy=Foreground',
        '/api/v1/persistentvolumes/pv-1',
        '/api/v1/persistentvolumes/pv-1?dryRun=All',
        '/api/v1/namespaces/pgo/persistentvolumeclaims',
    ])('refuses %s before sending anything', (path) => {
        expect(() => send(client, deleteRequest(path))).toThrow(/never deletes a PersistentVolumeClaim or a PersistentVolume/);
    });
});

describe('the record prepare leaves', () => {
    const snapshot = snapshotOf(SCENARIOS.failover('pgo'));
    const inspection = inspectCluster(snapshot, snapshot.pgclusters[0] as Pgcluster, { flavor: FLAVORS.pgo, installed: true, selectedBy: 'flag' });

    it('says its format, and reads back as written', () => {
        const cm = recordConfigMap(inspection, 'volumes', null);
        expect(cm.data.schema).toBe(String(RECORD_SCHEMA));
        expect(parseRecord(cm.data['inspection.json']!, cm.data.schema, 'pgo', 'hippo')).toEqual(inspection);
    });

    it('takes a record of the first format (no schema key), with the fields it lacked', () => {
        const { standby: _s, ...cluster } = inspection.cluster;
        const old = {
            ...inspection,
            cluster,
            replicas: inspection.replicas.map(({ podsWanted: _p, ...r }) => r),
            volumes: inspection.volumes.map(({ controller: _c, ...v }) => v),
        };
        const read = parseRecord(JSON.stringify(old), undefined, 'pgo', 'hippo');
        expect(read.cluster.standby).toBe(false);
        expect(read.replicas[0]?.podsWanted).toBeNull();
        expect(read.volumes.every((v) => v.controller === null)).toBe(true);
    });

    it('takes a record of the second format, which knew no logical move: its preflight not read', () => {
        const { logical: _l, ...old } = inspection;
        expect(parseRecord(JSON.stringify(old), '2', 'pgo', 'hippo').logical).toEqual({ name: 'hippo-v5', collisions: [], preflight: null });
    });

    it.each(['4', 'two', '0'])('refuses a record of format %s, naming it and what to do', (schema) => {
        expect(() => parseRecord(JSON.stringify(inspection), schema, 'pgo', 'hippo')).toThrow(
            `ConfigMap hippo-ivyo-upgrade in namespace pgo holds a record of format "${schema}", which this version of kubectl-ivyo-upgrade (format ${RECORD_SCHEMA}) does not know: use the version that wrote it`,
        );
    });

    it('refuses a damaged record as a user error naming the ConfigMap, not an internal error', () => {
        expect(() => parseRecord('{"cluster": ', '3', 'pgo', 'hippo')).toThrow(
            /^ConfigMap hippo-ivyo-upgrade in namespace pgo holds a damaged inspection\.json .*kubectl get configmap hippo-ivyo-upgrade -n pgo -o yaml/,
        );
        expect(() => parseRecord('{"cluster": ', '3', 'pgo', 'hippo')).toThrow(UserError);
    });
});

/** v4's configuration as prepare captures it (src/v4/capture.ts). */
const CAPTURE: V4Capture = {
    capturedAt: '2026-11-22T10:00:00.000Z',
    pgcluster: { labels: { 'pg-cluster': 'hippo' }, annotations: {}, spec: { replicas: '2', tlsOnly: true } },
    pgreplicas: [],
    configMaps: [{ role: 'patroni-dcs', name: 'hippo-config', data: {}, annotations: { config: '{"postgresql":{"parameters":{"work_mem":"8MB"}}}' } }],
    secrets: ['hippo-hippo-secret'],
};

describe('the exact requests of prepare, one table (none is sent here)', () => {
    const snapshot = snapshotOf(SCENARIOS.failover('pgo'));
    const pg = snapshot.pgclusters[0] as Pgcluster;
    const live = inspectCluster(snapshot, pg, { flavor: FLAVORS.pgo, installed: true, selectedBy: 'flag' });
    const withIds = { ...pg, metadata: { ...pg.metadata, uid: 'uid-1', resourceVersion: '42' } };
    const state = {
        cluster: 'hippo',
        namespace: 'pgo',
        pgcluster: withIds,
        live,
        record: null,
        liveCapture: CAPTURE,
        pgtasks: [{ metadata: { name: 'backrest-backup-hippo', uid: 'task-uid' } }],
        backupJobs: [{ metadata: { name: 'backrest-backup-hippo' } }],
    } as unknown as PrepareState;
    const one = (a: Parameters<typeof prepareRequests>[0]) => prepareRequests(a, state, { method: 'volumes' });

    it.each([
        [
            { kind: 'retain-pv', pv: 'pv-1', pvc: 'hippo-jgut', from: 'Delete' },
            [{ method: 'PATCH', path: '/api/v1/persistentvolumes/pv-1', contentType: 'application/merge-patch+json', body: { spec: { persistentVolumeReclaimPolicy: 'Retain' } } }],
        ],
        [
            { kind: 'annotate-keep', keepData: true, showBackups: false },
            [
                {
                    method: 'PATCH',
                    path: '/apis/crunchydata.com/v1/namespaces/pgo/pgclusters/hippo',
                    contentType: 'application/merge-patch+json',
                    body: { metadata: { annotations: { 'keep-backups': 'true', 'keep-data': 'true' } } },
                },
            ],
        ],
        [
            { kind: 'annotate-keep', keepData: false, showBackups: true },
            [
                {
                    method: 'PATCH',
                    path: '/apis/crunchydata.com/v1/namespaces/pgo/pgclusters/hippo',
                    contentType: 'application/merge-patch+json',
                    body: { metadata: { annotations: { 'keep-backups': 'true' } } },
                },
            ],
        ],
        [
            { kind: 'delete-pgcluster' },
            [
                {
                    method: 'DELETE',
                    path: '/apis/crunchydata.com/v1/namespaces/pgo/pgclusters/hippo',
                    contentType: 'application/json',
                    body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: 'uid-1', resourceVersion: '42' } },
                },
            ],
        ],
        [
            { kind: 'remove-v4-labels', pvc: 'hippo-jgut', labels: ['pg-cluster', 'vendor'] },
            [
                {
                    method: 'PATCH',
                    path: '/api/v1/namespaces/pgo/persistentvolumeclaims/hippo-jgut',
                    contentType: 'application/merge-patch+json',
                    body: { metadata: { labels: { 'pg-cluster': null, vendor: null } } },
                },
            ],
        ],
        [{ kind: 'wait-v4-cleanup', remaining: ['deployment x'] }, []],
    ] as const)('%j', (action, requests) => {
        expect(one(action as Parameters<typeof prepareRequests>[0])).toEqual(requests);
    });

    it('scale-down and backup create the pgtasks pinned above; a replaced backup deletes the earlier pgtask (as read) and its Jobs first', () => {
        expect(one({ kind: 'scale-down', deployment: 'hippo', deleteData: false })).toEqual([
            { method: 'POST', path: '/apis/crunchydata.com/v1/namespaces/pgo/pgtasks', contentType: 'application/json', body: scaleDownTask(withIds, 'hippo', false) },
        ]);
        expect(one({ kind: 'backup', type: 'full', repoPod: 'repo-pod', replace: true })).toEqual([
            {
                method: 'DELETE',
                path: '/apis/crunchydata.com/v1/namespaces/pgo/pgtasks/backrest-backup-hippo',
                contentType: 'application/json',
                body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: 'task-uid' } },
            },
            {
                method: 'DELETE',
                path: '/apis/batch/v1/namespaces/pgo/jobs/backrest-backup-hippo',
                contentType: 'application/json',
                body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Foreground' },
            },
            { method: 'POST', path: '/apis/crunchydata.com/v1/namespaces/pgo/pgtasks', contentType: 'application/json', body: backupTask(withIds, 'repo-pod', 'full') },
        ]);
    });

    it('the record: a forced server-side apply of ConfigMap hippo-ivyo-upgrade', () => {
        const [r] = one({ kind: 'record' });
        expect(r).toMatchObject({
            method: 'PATCH',
            path: '/api/v1/namespaces/pgo/configmaps/hippo-ivyo-upgrade',
            contentType: 'application/apply-patch+yaml',
            query: { force: 'true' },
        });
        expect(r?.body).toEqual(recordConfigMap(live, 'volumes', CAPTURE));
        expect(JSON.parse((r?.body as { data: Record<string, string> }).data['capture.json'] ?? '')).toEqual(CAPTURE);
    });

    it("a record made before captures gets v4's configuration by a merge patch of that one key, nothing else of it", () => {
        expect(one({ kind: 'record-capture' })).toEqual([
            {
                method: 'PATCH',
                path: '/api/v1/namespaces/pgo/configmaps/hippo-ivyo-upgrade',
                contentType: 'application/merge-patch+json',
                body: { data: { 'capture.json': JSON.stringify(CAPTURE, null, 2) } },
            },
        ]);
    });
});

describe('the exact requests of release-pvc', () => {
    const owner = { apiVersion: 'postgres-operator.crunchydata.com/v1beta1', kind: 'PostgresCluster', name: 'hippo', uid: 'c-uid', controller: true };
    const other = { apiVersion: 'v1', kind: 'ConfigMap', name: 'keep-me', uid: 'o-uid' };
    const state = {
        namespace: 'pgo',
        flavor: FLAVORS.pgo,
        clusterName: 'hippo',
        cluster: { metadata: { name: 'hippo', uid: 'c-uid' }, spec: { dataSource: { volumes: { pgBackRestVolume: { pvcName: 'hippo-pgbr-repo' } } } } },
        pvcs: [{ metadata: { name: 'hippo-pgbr-repo', ownerReferences: [owner, other] } }],
        pvs: new Map(),
    };
    it('drops only the owner reference to that cluster, on condition the list is as read; drops the volume source on the same condition', () => {
        expect(releaseRequest({ kind: 'remove-owner', pvc: 'hippo-pgbr-repo' }, state)).toEqual({
            method: 'PATCH',
            path: '/api/v1/namespaces/pgo/persistentvolumeclaims/hippo-pgbr-repo',
            contentType: 'application/json-patch+json',
            body: [
                { op: 'test', path: '/metadata/ownerReferences', value: [owner, other] },
                { op: 'replace', path: '/metadata/ownerReferences', value: [other] },
            ],
        });
        expect(releaseRequest({ kind: 'remove-volumes-source' }, state)).toEqual({
            method: 'PATCH',
            path: '/apis/postgres-operator.crunchydata.com/v1beta1/namespaces/pgo/postgresclusters/hippo',
            contentType: 'application/json-patch+json',
            body: [
                { op: 'test', path: '/spec/dataSource/volumes', value: { pgBackRestVolume: { pvcName: 'hippo-pgbr-repo' } } },
                { op: 'remove', path: '/spec/dataSource/volumes' },
            ],
        });
    });
});

describe('the backup set prepare shows (pgbackrest info --output json)', () => {
    it('lists each stanza and its backups, and reads odd answers without failing', () => {
        const info = JSON.stringify([
            {
                name: 'db',
                backup: [
                    { label: '20261122-010203F', type: 'full' },
                    { label: '20261122-020304F_20261122-030405D', type: 'diff' },
                ],
            },
        ]);
        expect(backupSet(info)).toEqual([{ name: 'db', backups: ['20261122-010203F (full)', '20261122-020304F_20261122-030405D (diff)'] }]);
        expect(backupSet(JSON.stringify([{ name: 'db' }, { backup: [{}] }, 7]))).toEqual([
            { name: 'db', backups: [] },
            { name: '?', backups: ['? (?)'] },
            { name: '?', backups: [] },
        ]);
        expect(backupSet('{}')).toEqual([]);
    });
});
