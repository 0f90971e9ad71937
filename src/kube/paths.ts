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

/** An object (`name`) or, without a name, the collection; in one namespace, or in every namespace (null). */
function at(prefix: string, namespace: string | null, resource: string, name?: string): string {
    return `${collection(prefix, namespace, resource)}${name === undefined ? '' : `/${enc(name)}`}`;
}

const CORE = '/api/v1';

export const paths = {
    pvc: (namespace: string | null, name?: string) => at(CORE, namespace, 'persistentvolumeclaims', name),
    pv: (name?: string) => at(CORE, null, 'persistentvolumes', name),
    secret: (namespace: string | null, name?: string) => at(CORE, namespace, 'secrets', name),
    configMap: (namespace: string | null, name?: string) => at(CORE, namespace, 'configmaps', name),
    pods: (namespace: string | null) => at(CORE, namespace, 'pods'),
    podLog: (namespace: string, pod: string) => `${at(CORE, namespace, 'pods', pod)}/log`,
    services: (namespace: string | null) => at(CORE, namespace, 'services'),
    namespaces: () => `${CORE}/namespaces`,
    deployments: (namespace: string | null) => at('/apis/apps/v1', namespace, 'deployments'),
    statefulSets: (namespace: string) => at('/apis/apps/v1', namespace, 'statefulsets'),
    job: (namespace: string, name?: string) => at('/apis/batch/v1', namespace, 'jobs', name),
    pgcluster: (namespace: string | null, name?: string) => at(V4_API, namespace, 'pgclusters', name),
    pgreplicas: (namespace: string | null) => at(V4_API, namespace, 'pgreplicas'),
    pgtask: (namespace: string, name?: string) => at(V4_API, namespace, 'pgtasks', name),
    /** A v5 cluster (IvoryCluster or PostgresCluster), or their collection. */
    v5Cluster: (f: Pick<Flavor, 'group' | 'version' | 'plural'>, namespace: string | null, name?: string) => at(`/apis/${f.group}/${f.version}`, namespace, f.plural, name),
};
