import type { Inspection } from '../v4/inspection.js';
import type { V5PgBackRest, V5Repo } from './cluster.js';

export type RepoKind = 'posix' | 's3' | 'gcs';

/** The Secret holding the v4 repository credentials in v5's form; apply makes it from the v4 repo config. */
export const credentialsSecretName = (cluster: string) => `${cluster}-v4-repo-credentials`;

/**
 * The repo kind generate uses when --repo is not given: the v4 repo PVC when v4 writes there (posix is among
 * its storage types) and it exists, else the cloud repository. An S3- or GCS-only cluster has a repo PVC too,
 * which v4 never writes to: it is never the default.
 */
export function defaultRepo(i: Inspection): RepoKind | null {
    if (i.repository.types.includes('posix') && i.repository.pvc && i.volumes.some((v) => v.role === 'repo' && v.exists)) return 'posix';
    return cloudRepoKind(i);
}

/** The cloud repository v4 writes to, if any. */
export function cloudRepoKind(i: Inspection): 's3' | 'gcs' | null {
    if (i.repository.types.includes('s3')) return 's3';
    if (i.repository.types.includes('gcs')) return 'gcs';
    return null;
}

/**
 * repo1 as v4's S3 or GCS repository: the same bucket and the exact v4 path (`global.repo1-path`), with the
 * credentials in a Secret apply makes from v4's repo config. Used by the backups method and by the volumes
 * method of a cloud-only cluster.
 */
export function cloudRepo(
    i: Inspection,
    kind: 's3' | 'gcs',
    clusterName: string,
): { repo: V5Repo; global: Record<string, string>; configuration: NonNullable<V5PgBackRest['configuration']> } {
    const r = i.repository;
    const global: Record<string, string> = { 'repo1-path': r.path };
    let repo: V5Repo;
    if (kind === 's3') {
        const s3 = r.s3;
        if (!s3) throw new Error('internal: an S3 repository without its settings (generate refuses it first)');
        repo = { name: 'repo1', s3: { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region } };
        if (s3.uriStyle) global['repo1-s3-uri-style'] = s3.uriStyle;
        if (!s3.verifyTLS) global['repo1-storage-verify-tls'] = 'n';
    } else {
        const gcs = r.gcs;
        if (!gcs) throw new Error('internal: a GCS repository without its settings (generate refuses it first)');
        repo = { name: 'repo1', gcs: { bucket: gcs.bucket } };
        if (gcs.endpoint) global['repo1-gcs-endpoint'] = gcs.endpoint;
        if (gcs.keyType && gcs.keyType !== 'service') global['repo1-gcs-key-type'] = gcs.keyType;
    }
    return { repo, global, configuration: [{ secret: { name: credentialsSecretName(clusterName) } }] };
}

/**
 * v4's repo config Secret keys → v5 pgBackRest configuration files (PGO v4.7.10 internal/operator/backrest/repo.go;
 * pgBackRest repo1-s3-key, repo1-gcs-key): values stay base64. v4 verified S3 against the CA bundle `aws-s3-ca.crt`
 * of that Secret (v4.7.9 pgo-configs/pgbackrest-s3-env-vars.json, PGBACKREST_REPO1_S3_CA_FILE; a custom one for an
 * S3-like store, cmd/pgo/cmd/create.go --pgbackrest-s3-ca-secret): the same bundle, as `repo1-s3-ca-file`.
 */
export function credentialsSecret(name: string, namespace: string, repo: 's3' | 'gcs', v4Data: Record<string, string>): Record<string, unknown> {
    const text = (b64: string | undefined) => Buffer.from(b64 ?? '', 'base64').toString('utf8');
    const ca = repo === 's3' ? v4Data['aws-s3-ca.crt'] : undefined;
    const conf =
        repo === 's3'
            ? `[global]\nrepo1-s3-key=${text(v4Data['aws-s3-key'])}\nrepo1-s3-key-secret=${text(v4Data['aws-s3-key-secret'])}\n${ca ? 'repo1-s3-ca-file=/etc/pgbackrest/conf.d/s3-ca.crt\n' : ''}`
            : '[global]\nrepo1-gcs-key=/etc/pgbackrest/conf.d/gcs-key.json\n';
    return {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'kubectl-ivyo-upgrade' } },
        type: 'Opaque',
        data: {
            [`${repo}.conf`]: Buffer.from(conf).toString('base64'),
            ...(repo === 'gcs' ? { 'gcs-key.json': v4Data['gcs-key'] ?? '' } : {}),
            ...(ca ? { 's3-ca.crt': ca } : {}),
        },
    };
}
