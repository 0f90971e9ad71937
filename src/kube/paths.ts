import type { Flavor } from '../targets/flavors.js';

/** Every API path the tool sends a request to, built in one place. Names are URL-encoded here. */

export const V4_GROUP = 'crunchydata.com';
export const V4_VERSION = 'v1';
const V4_API = `/apis/${V4_GROUP}/${V4_VERSION}`;
const enc = encodeURIComponent;

/** A collection in one namespace, or in every namespace (null). */
export function collection(prefix: string, namespace: string | null, resource: string): string {
    return namespace === null ? `${prefix}/${resource}` : `${prefix}/namespaces/${enc(namespace)}/${resource}`;
}

const core = (namespace: string | null, resource: string, name?: string) => `${collection('/api/v1', namespace, resource)}${name === undefined ? '' : `/${enc(name)}`}`;
const v4 = (namespace: string | null, resource: string, name?: string) => `${collection(V4_API, namespace, resource)}${name === undefined ? '' : `/${enc(name)}`}`;

export const paths = {
    pvc: (namespace: string, name?: string) => core(namespace, 'persistentvolumeclaims', name),
    /** PVCs of one namespace, or of every namespace (null). */
    pvcs: (namespace: string | null) => core(namespace, 'persistentvolumeclaims'),
    secrets: (namespace: string | null) => core(namespace, 'secrets'),
    configMaps: (namespace: string | null) => core(namespace, 'configmaps'),
    pv: (name?: string) => (name === undefined ? '/api/v1/persistentvolumes' : `/api/v1/persistentvolumes/${enc(name)}`),
    secret: (namespace: string, name?: string) => core(namespace, 'secrets', name),
    configMap: (namespace: string, name?: string) => core(namespace, 'configmaps', name),
    pods: (namespace: string | null) => core(namespace, 'pods'),
    podLog: (namespace: string, pod: string) => `${core(namespace, 'pods', pod)}/log`,
    services: (namespace: string | null) => core(namespace, 'services'),
    deployments: (namespace: string | null) => collection('/apis/apps/v1', namespace, 'deployments'),
    job: (namespace: string, name?: string) => `${collection('/apis/batch/v1', namespace, 'jobs')}${name === undefined ? '' : `/${enc(name)}`}`,
    pgcluster: (namespace: string | null, name?: string) => v4(namespace, 'pgclusters', name),
    pgreplicas: (namespace: string | null) => v4(namespace, 'pgreplicas'),
    pgtask: (namespace: string, name?: string) => v4(namespace, 'pgtasks', name),
    /** A v5 cluster (IvoryCluster or PostgresCluster), or their collection. */
    v5Cluster: (f: Pick<Flavor, 'group' | 'version' | 'plural'>, namespace: string | null, name?: string) =>
        `${collection(`/apis/${f.group}/${f.version}`, namespace, f.plural)}${name === undefined ? '' : `/${enc(name)}`}`,
    namespaces: () => '/api/v1/namespaces',
};
