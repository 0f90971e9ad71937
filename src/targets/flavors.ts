/**
 * The two v5 operators this tool can move a cluster to, as data (docs/upstream-facts.md).
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
    dataSourceKey: 'ivoryCluster' | 'postgresCluster';
    dataInitializedCondition: string;
    replicationUser: string;
    /** The value of the operator's `data` label on its PostgreSQL pods (PGO v5.8.9 internal/naming/labels.go DataPostgres; IVYO DataIvory). */
    dataLabelValue: 'postgres' | 'ivory';
    /**
     * The user whose `spec.users` entry the operator always makes a superuser, with its password in the Secret
     * `<cluster>-pguser-<user>`: what the logical move restores as.
     */
    superuser: string;
    /** `spec.postgresVersion` bounds in the CRD. */
    postgresVersions: { min: number; max: number };
    /** PostgreSQL majors the operator's own default images run; any other major needs `--image`. */
    defaultImageMajors: number[];
    /** Whether it can run a data directory made by vanilla PostgreSQL (all PGO v4 data): the physical methods need it. */
    runsVanillaData: boolean;
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
        dataLabelValue: 'ivory',
        // internal/ivory/users.go WriteUsersInIvorySQL: "ivorysql" always gets LOGIN SUPERUSER; naming.go `<c>-pguser-<user>`.
        superuser: 'ivorysql',
        postgresVersions: { min: 10, max: 18 },
        // Only RELATED_IMAGE_IVORY_18 (IvorySQL/ivory-operator master d91df9f6, config/manager/manager.yaml).
        defaultImageMajors: [18],
        // docs/which-target.md: preloads, HBA, pg-version-force=18, IvorySQL's own pg_control.
        runsVanillaData: false,
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
        dataLabelValue: 'postgres',
        // internal/postgres/users.go WriteUsersInPostgreSQL (v5.8.9): "postgres" always gets LOGIN SUPERUSER.
        superuser: 'postgres',
        postgresVersions: { min: 11, max: 18 },
        // RELATED_IMAGE_POSTGRES_15..18 (CrunchyData/postgres-operator v5.8.9 config/manager/manager.yaml;
        // v6.0.3 config/components/images-by-tag). PostgreSQL 13 and older need spec.image.
        defaultImageMajors: [15, 16, 17, 18],
        runsVanillaData: true,
    },
};

export function apiVersionOf(f: Flavor): string {
    return `${f.group}/${f.version}`;
}
