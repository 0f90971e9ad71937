import fs from 'node:fs';
import { loadAll } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/types.js';
import { serverSideApply } from '../../src/kube/writes.js';
import type { Inspection } from '../../src/v4/inspection.js';
import { SCENARIOS } from '../fixtures/v4/cluster.js';
import { adminClient, createNamespace, createObjects, mintUser, run } from '../support/kube.js';

let ns: string;
let bound: string;
let nobody: string;
beforeAll(async () => {
    ns = await createNamespace('rbac');
    await createObjects(SCENARIOS.failover(ns));
    // Exactly the roles of docs/rbac.yaml, bound as the file says, to a ServiceAccount that has nothing else.
    const client = adminClient();
    for (const role of loadAll(fs.readFileSync('docs/rbac.yaml', 'utf8')) as KubeObject[]) {
        await serverSideApply(client, `/apis/rbac.authorization.k8s.io/v1/clusterroles/${role.metadata.name}`, role, { force: true });
    }
    bound = await mintUser(ns, 'upgrader');
    nobody = await mintUser(ns, 'nobody');
    const subject = [{ kind: 'ServiceAccount', name: 'upgrader', namespace: ns }];
    await client.request('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
        body: {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'RoleBinding',
            metadata: { name: 'upgrader' },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kubectl-ivyo-upgrade' },
            subjects: subject,
        },
    });
    await client.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
        body: {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRoleBinding',
            metadata: { name: `upgrader-${ns}` },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kubectl-ivyo-upgrade-volumes' },
            subjects: subject,
        },
    });
});

describe('least privilege', () => {
    it('inspect works with exactly the roles of docs/rbac.yaml, PersistentVolumes included', async () => {
        const r = await run(['inspect', 'hippo', '-o', 'json'], { kubeconfig: bound });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const i = JSON.parse(r.stdout) as Inspection;
        expect(i.volumes[0]?.reclaimPolicy).toBe('Delete');
        expect(i.methods.volumes.warnings.map((w) => w.code)).not.toContain('pv-unreadable');
    });

    it('--check-permissions finds nothing missing for any command with those roles', async () => {
        const r = await run(['inspect', '--check-permissions'], { kubeconfig: bound });
        expect(r.code).toBe(0);
        expect(r.stdout.split('\n').filter(Boolean)).toEqual([
            expect.stringMatching(/^COMMAND +STATUS +RESOURCE$/),
            ...['inspect', 'generate', 'prepare', 'apply', 'promote', 'cutover', 'release-pvc'].map((c) => expect.stringMatching(new RegExp(`^${c} +ok +-$`))),
        ]);
        expect(r.stderr).toBe(`Every command has the permissions it needs in namespace ${ns}.\n`);
    });

    it('--check-permissions lists what a user without roles lacks, and exits 1', async () => {
        const r = await run(['inspect', '--check-permissions'], { kubeconfig: nobody });
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/^inspect +missing get +pgclusters\.crunchydata\.com$/m);
        expect(r.stdout).toMatch(/^inspect +missing list +persistentvolumes \(cluster-wide\)$/m);
        expect(r.stdout).toMatch(/^prepare +missing create +pods\/exec$/m);
        expect(r.stderr).toBe(`error: some permissions are missing in namespace ${ns}: "kubectl ivyo-upgrade inspect --print-rbac" prints the roles to bind\n`);
        const json = await run(['inspect', '--check-permissions', '-o', 'json'], { kubeconfig: nobody });
        expect(json.code).toBe(1);
        expect((JSON.parse(json.stdout) as { items: { command: string; status: string; resource: string }[] }).items).toContainEqual({
            command: 'prepare',
            status: 'missing create',
            resource: 'pods/exec',
        });
    });
});
