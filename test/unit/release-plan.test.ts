import { describe, expect, it } from 'vitest';
import type { PersistentVolume, PersistentVolumeClaim } from '../../src/kube/types.js';
import { planRelease } from '../../src/plan/release.js';
import type { ReleaseState } from '../../src/v5/release-state.js';
import type { V5Cluster } from '../../src/v5/cluster.js';
import { FLAVORS } from '../../src/targets/flavors.js';

const f = FLAVORS.ivyo;
const P = f.labelPrefix;
const owner = { apiVersion: 'ivory-operator.ivorysql.org/v1beta1', kind: 'IvoryCluster', name: 'hippo', uid: 'u1', controller: true, blockOwnerDeletion: true };
const other = { apiVersion: 'v1', kind: 'ConfigMap', name: 'keeper', uid: 'u9' };
const repo: PersistentVolumeClaim = {
    metadata: {
        name: 'hippo-pgbr-repo',
        labels: { [`${P}cluster`]: 'hippo', [`${P}pgbackrest`]: '', [`${P}pgbackrest-repo`]: 'repo1', [`${P}pgbackrest-volume`]: '', [`${P}data`]: 'pgbackrest', team: 'db' },
        ownerReferences: [owner, other],
    },
    spec: { volumeName: 'pv-repo' },
};
const data: PersistentVolumeClaim = {
    metadata: {
        name: 'hippo-jgut',
        labels: { [`${P}cluster`]: 'hippo', [`${P}role`]: 'pgdata', [`${P}instance`]: 'hippo-00-abcd', [`${P}instance-set`]: '00', [`${P}data`]: 'ivory' },
        ownerReferences: [owner],
    },
    spec: { volumeName: 'pv-data' },
};
const pv = (name: string, policy: string): PersistentVolume => ({ metadata: { name }, spec: { persistentVolumeReclaimPolicy: policy } });
const cluster = (spec: V5Cluster['spec']): V5Cluster => ({ metadata: { name: 'hippo', uid: 'u1' }, spec });

function state(pvcs: PersistentVolumeClaim[], c: V5Cluster | null): ReleaseState {
    return {
        namespace: 'pgo',
        flavor: f,
        clusterName: 'hippo',
        cluster: c,
        pvcs,
        pvs: new Map([
            ['pv-repo', pv('pv-repo', 'Delete')],
            ['pv-data', pv('pv-data', 'Retain')],
        ]),
    };
}

describe('planRelease', () => {
    it('Retain first, then spec.dataSource.volumes on the cluster (not on an object named after the PVC), then every v5 label incl. data, then the owner', () => {
        const plan = planRelease(state([repo], cluster({ dataSource: { volumes: { pgBackRestVolume: { pvcName: 'hippo-pgbr-repo' } } } })));
        expect(plan).toEqual([
            { kind: 'retain-pv', pv: 'pv-repo', pvc: 'hippo-pgbr-repo', from: 'Delete' },
            { kind: 'remove-volumes-source' },
            { kind: 'remove-v5-labels', pvc: 'hippo-pgbr-repo', labels: [`${P}cluster`, `${P}pgbackrest`, `${P}pgbackrest-repo`, `${P}pgbackrest-volume`, `${P}data`] },
            { kind: 'remove-owner', pvc: 'hippo-pgbr-repo' },
        ]);
    });

    it('removes instance, instance-set and role from a data PVC of a shut-down cluster', () => {
        const plan = planRelease(state([data], cluster({ shutdown: true })));
        expect(plan).toEqual([
            { kind: 'remove-v5-labels', pvc: 'hippo-jgut', labels: [`${P}cluster`, `${P}data`, `${P}instance`, `${P}instance-set`, `${P}role`] },
            { kind: 'remove-owner', pvc: 'hippo-jgut' },
        ]);
    });

    it('refuses a data PVC of a running cluster', () => {
        expect(() => planRelease(state([data], cluster({})))).toThrow(/holds the data of running IvoryCluster hippo.*"shutdown":true/);
    });

    it('has nothing to do for a released PVC, and leaves owners that are not the cluster', () => {
        const released: PersistentVolumeClaim = { metadata: { name: 'hippo-pgbr-repo', labels: { team: 'db' }, ownerReferences: [other] }, spec: { volumeName: 'pv-data' } };
        expect(planRelease(state([released], cluster({})))).toEqual([]);
    });
});
