/**
 * PGO v4 names, labels, annotations and paths (PGO v4.7.10 sources; docs/upstream-facts.md "v4 objects").
 * They are where v4 put things; the model reads the live objects and uses these only to recognise them.
 */
export const V4 = {
    label: {
        cluster: 'pg-cluster',
        vendor: 'vendor',
        database: 'pgo-pg-database',
        deploymentName: 'deployment-name',
        role: 'role',
        backrestRepo: 'pgo-backrest-repo',
    },
    annotation: {
        currentPrimary: 'current-primary',
        repoPath: 'repo-path',
        s3Bucket: 's3-bucket',
        s3Endpoint: 's3-endpoint',
        s3Region: 's3-region',
        s3UriStyle: 's3-uri-style',
        s3VerifyTls: 's3-verify-tls',
        gcsBucket: 'gcs-bucket',
        gcsEndpoint: 'gcs-endpoint',
        gcsKeyType: 'gcs-key-type',
    },
    volume: { data: 'pgdata', wal: 'pgwal', repo: 'backrestrepo', tablespacePrefix: 'tablespace-' },
    env: { dataDir: 'PATRONI_POSTGRESQL_DATA_DIR', walDir: 'PGHA_WALDIR', repo1Type: 'PGBACKREST_REPO1_TYPE' },
    /** v4.5 `spec.userlabels` key and v4.3/4.4 pgcluster label holding the repository storage types. */
    storageTypeKey: 'backrest-storage-type',
    container: 'database',
    masterRole: 'master',
    initializedState: 'pgcluster Initialized',
    /** v4.7.9 pkg/apis/crunchydata.com/v1/cluster.go PgclusterStateShutdown: what ShutdownCluster sets once its deployments are at 0. */
    shutdownState: 'pgcluster Shutdown',
    repoMount: '/backrestrepo',
    /** Labels v4 puts on every PVC it creates; v5 leaves them, so they must be removed (docs/upstream-facts.md "v4 objects"). */
    pvcLabels: ['pg-cluster', 'vendor'],
    repoPvc: (c: string) => `${c}-pgbr-repo`,
    repoConfigSecret: (c: string) => `${c}-backrest-repo-config`,
    /** A v4 user's Secret (keys username, password), the superuser's included: `<c>-<user>-secret`. */
    userSecret: (c: string, user: string) => `${c}-${user}-secret`,
    defaultRepoPath: (c: string) => `/backrestrepo/${c}-backrest-shared-repo`,
} as const;

/** On a v4 pgcluster once `promote` begins: the v5 cluster that takes over its data, so that no command of this tool starts v4 again. */
export const PROMOTED_MARK = 'ivyo-upgrade.ivorysql.org/promoted-to';

/** The PostgreSQL major in a v4 image tag: `ubi8-13.10-4.7.10` → 13, `centos7-9.6.20-4.5.1` → 9. */
export function postgresMajorFromTag(tag: string | undefined): number | null {
    const m = /^[a-z]+\d*-(\d+)(?:\.\d+)*-/.exec(tag ?? '');
    return m ? Number(m[1]) : null;
}
