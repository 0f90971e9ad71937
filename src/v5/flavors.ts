/**
 * The two v5 operators this tool can move a cluster to, as data (v4-to-v5-facts.md §3.1, §3.3, §0.5).
 * Everything that differs between IVYO and PGO v5 is read from here; no other file names either operator.
 */
export type FlavorName = 'ivyo' | 'pgo';

export interface Flavor {
    name: FlavorName;
    product: string;
    group: string;
    version: string;
    kind: string;
    plural: string;
    /** Label and annotation prefix, with its trailing slash. */
    labelPrefix: string;
    /** `spec.dataSource.<key>` for a restore from a pgBackRest repository. */
    dataSourceKey: string;
    dataInitializedCondition: string;
    replicationUser: string;
    /** `spec.postgresVersion` bounds in the CRD. */
    postgresVersions: { min: number; max: number };
    /** PostgreSQL majors the operator's own default images run; any other major needs `--image`. */
    defaultImageMajors: number[];
}

export const FLAVORS: Record<FlavorName, Flavor> = {
    ivyo: {
        name: 'ivyo',
        product: 'IvorySQL Operator (IVYO)',
        group: 'ivory-operator.ivorysql.org',
        version: 'v1beta1',
        kind: 'IvoryCluster',
        plural: 'ivoryclusters',
        labelPrefix: 'ivory-operator.ivorysql.org/',
        dataSourceKey: 'ivoryCluster',
        dataInitializedCondition: 'IvoryDataInitialized',
        replicationUser: '_ivoryrepl',
        postgresVersions: { min: 10, max: 18 },
        // IVYO 4.x ships IvorySQL 4 (PostgreSQL 17) images, IVYO 5.x IvorySQL 5 (PostgreSQL 18): facts §0.5.
        defaultImageMajors: [17, 18],
    },
    pgo: {
        name: 'pgo',
        product: 'Crunchy PGO v5',
        group: 'postgres-operator.crunchydata.com',
        version: 'v1beta1',
        kind: 'PostgresCluster',
        plural: 'postgresclusters',
        labelPrefix: 'postgres-operator.crunchydata.com/',
        dataSourceKey: 'postgresCluster',
        dataInitializedCondition: 'PostgresDataInitialized',
        replicationUser: '_crunchyrepl',
        postgresVersions: { min: 11, max: 18 },
        // PGO 5.7's related images (RELATED_IMAGE_POSTGRES_15/16/17 in its Helm chart and kustomize install).
        defaultImageMajors: [15, 16, 17],
    },
};

export function apiVersionOf(f: Flavor): string {
    return `${f.group}/${f.version}`;
}

/** The API path of the v5 cluster `name` in `namespace`. */
export function clusterPath(f: Flavor, namespace: string, name: string): string {
    return `/apis/${f.group}/${f.version}/namespaces/${encodeURIComponent(namespace)}/${f.plural}/${encodeURIComponent(name)}`;
}
