/** Creates objects on a test or demo cluster: fixtures, namespaces, restricted users. */
import type { KubeClient } from '../src/kube/client.js';
import type { KubeObject } from '../src/kube/types.js';

const COLLECTIONS: Record<string, string> = {
    'v1/PersistentVolume': '/api/v1/persistentvolumes',
    'v1/PersistentVolumeClaim': '/api/v1/namespaces/NS/persistentvolumeclaims',
    'v1/Secret': '/api/v1/namespaces/NS/secrets',
    'v1/ConfigMap': '/api/v1/namespaces/NS/configmaps',
    'v1/Service': '/api/v1/namespaces/NS/services',
    'v1/Pod': '/api/v1/namespaces/NS/pods',
    'v1/ServiceAccount': '/api/v1/namespaces/NS/serviceaccounts',
    'apps/v1/Deployment': '/apis/apps/v1/namespaces/NS/deployments',
    'crunchydata.com/v1/Pgcluster': '/apis/crunchydata.com/v1/namespaces/NS/pgclusters',
    'crunchydata.com/v1/Pgreplica': '/apis/crunchydata.com/v1/namespaces/NS/pgreplicas',
    'postgres-operator.crunchydata.com/v1beta1/PostgresCluster': '/apis/postgres-operator.crunchydata.com/v1beta1/namespaces/NS/postgresclusters',
    'ivory-operator.ivorysql.org/v1beta1/IvoryCluster': '/apis/ivory-operator.ivorysql.org/v1beta1/namespaces/NS/ivoryclusters',
    'rbac.authorization.k8s.io/v1/Role': '/apis/rbac.authorization.k8s.io/v1/namespaces/NS/roles',
    'rbac.authorization.k8s.io/v1/RoleBinding': '/apis/rbac.authorization.k8s.io/v1/namespaces/NS/rolebindings',
};

export function collectionOf(o: KubeObject): string {
    const c = COLLECTIONS[`${o.apiVersion}/${o.kind}`];
    if (!c) throw new Error(`seed: no collection for ${o.apiVersion}/${o.kind}`);
    return c.replace('NS', o.metadata.namespace ?? '');
}

export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check().catch(() => false))) {
        if (Date.now() > deadline) throw new Error(`seed: ${what} after ${timeoutMs / 1000}s`);
        await new Promise((r) => setTimeout(r, 200));
    }
}

/** A namespace with its default ServiceAccount (pods cannot be created before it exists). */
export async function createNamespace(client: KubeClient, name: string): Promise<void> {
    await client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
    await until(`ServiceAccount ${name}/default missing`, async () => {
        await client.get(`/api/v1/namespaces/${name}/serviceaccounts/default`);
        return true;
    });
}

/** Creates the objects in order, then waits until the PV binder has bound every claim. */
export async function createObjects(client: KubeClient, objects: KubeObject[]): Promise<void> {
    for (const o of objects) await client.request('POST', collectionOf(o), { body: o });
    for (const c of objects.filter((o) => o.kind === 'PersistentVolumeClaim')) {
        await until(`PVC ${c.metadata.namespace}/${c.metadata.name} not Bound`, async () => {
            const got = await client.get<{ status?: { phase?: string } }>(`${collectionOf(c)}/${c.metadata.name}`);
            return got.status?.phase === 'Bound';
        });
    }
}
