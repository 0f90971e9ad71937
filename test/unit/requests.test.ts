import { describe, expect, it } from 'vitest';
import { KubeClient } from '../../src/kube/client.js';
import type { Pgcluster } from '../../src/kube/types.js';
import { deleteObject } from '../../src/kube/writes.js';
import { backupTask, scaleDownTask } from '../../src/plan/prepare-procedure.js';
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
        expect(() => deleteObject(client, path)).toThrow(/never deletes a PersistentVolumeClaim or a PersistentVolume/);
    });
});

describe('the record prepare leaves', () => {
    const snapshot = snapshotOf(SCENARIOS.failover('pgo'));
    const inspection = inspectCluster(snapshot, snapshot.pgclusters[0] as Pgcluster, { flavor: FLAVORS.pgo, installed: true, selectedBy: 'flag' });

    it('says its format, and reads back as written', () => {
        const cm = recordConfigMap(inspection, 'volumes');
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

    it.each(['3', 'two', '0'])('refuses a record of format %s, naming it and what to do', (schema) => {
        expect(() => parseRecord(JSON.stringify(inspection), schema, 'pgo', 'hippo')).toThrow(
            `ConfigMap hippo-ivyo-upgrade in namespace pgo holds a record of format "${schema}", which this version of kubectl-ivyo-upgrade (format ${RECORD_SCHEMA}) does not know: use the version that wrote it`,
        );
    });
});
