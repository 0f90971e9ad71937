import type { Inspection } from '../v4/inspection.js';
import { claimSpecOf, clusterManifest, type ManifestOptions } from './manifest.js';

export type RepoKind = 'posix' | 's3' | 'gcs';

export interface BackupsOptions extends ManifestOptions {
    repo: RepoKind;
    /** pgBackRest restore options for point-in-time recovery, e.g. `--type=time`, `--target="…"`. */
    restoreOptions: string[];
}

/** The Secret holding the v4 repository credentials in v5's form; apply makes it from the v4 repo config. */
export const credentialsSecretName = (cluster: string) => `${cluster}-v4-repo-credentials`;

/** The repo kind generate uses when --repo is not given: the v4 repo PVC if there is one, else the cloud repo. */
export function defaultRepo(i: Inspection): RepoKind | null {
    if (i.repository.pvc && i.volumes.some((v) => v.role === 'repo' && v.exists)) return 'posix';
    if (i.repository.types.includes('s3')) return 's3';
    if (i.repository.types.includes('gcs')) return 'gcs';
    return null;
}

/**
 * A new v5 cluster restored from the v4 pgBackRest repository (method 2; v4-to-v5-facts.md §2.3, §3.3, §7,
 * §11.4, §11.8). posix: the v4 repo PVC is adopted as repo1 and restored from. s3/gcs: repo1 points at the
 * exact v4 repo path, with the v4 credentials converted into a Secret. Pure; the caller checked the refusals.
 */
export function backupsManifest(i: Inspection, o: BackupsOptions): Record<string, unknown> {
    const data = i.volumes.find((v) => v.role === 'data');
    if (!data) throw new Error('inspection has no data volume');
    const repo = i.repository;
    const restore = { repoName: 'repo1', ...(o.restoreOptions.length > 0 ? { options: o.restoreOptions } : {}) };
    let repoSpec: Record<string, unknown>;
    let dataSource: Record<string, unknown>;
    const global: Record<string, string> = {};
    let configuration: unknown[] | undefined;
    if (o.repo === 'posix') {
        const repoVolume = i.volumes.find((v) => v.role === 'repo');
        if (!repoVolume || !repo.pvc) throw new Error('inspection has no repo volume');
        repoSpec = { name: 'repo1', volume: { volumeClaimSpec: claimSpecOf(repoVolume) } };
        // The repo move Job relocates archive/ and backup/ to the volume root, which v5 mounts as repo1's path.
        dataSource = { volumes: { pgBackRestVolume: { pvcName: repo.pvc, directory: repo.directory } }, [o.flavor.dataSourceKey]: restore };
    } else {
        global['repo1-path'] = repo.path;
        configuration = [{ secret: { name: credentialsSecretName(o.name) } }];
        if (o.repo === 's3') {
            const s3 = repo.s3!;
            repoSpec = { name: 'repo1', s3: { bucket: s3.bucket, endpoint: s3.endpoint, region: s3.region } };
            if (s3.uriStyle) global['repo1-s3-uri-style'] = s3.uriStyle;
            if (!s3.verifyTLS) global['repo1-storage-verify-tls'] = 'n';
        } else {
            const gcs = repo.gcs!;
            repoSpec = { name: 'repo1', gcs: { bucket: gcs.bucket } };
            if (gcs.endpoint) global['repo1-gcs-endpoint'] = gcs.endpoint;
            if (gcs.keyType && gcs.keyType !== 'service') global['repo1-gcs-key-type'] = gcs.keyType;
        }
        dataSource = { [o.flavor.dataSourceKey]: restore };
    }
    return clusterManifest(i, o, {
        dataSource,
        instance: { dataVolumeClaimSpec: claimSpecOf(data) },
        pgbackrest: {
            ...(configuration ? { configuration } : {}),
            ...(Object.keys(global).length > 0 ? { global } : {}),
            repos: [repoSpec],
        },
    });
}

/** v4's repo config Secret keys → v5 pgBackRest configuration files (facts §5.5, §7): values stay base64. */
export function credentialsSecret(name: string, namespace: string, repo: 's3' | 'gcs', v4Data: Record<string, string>): Record<string, unknown> {
    const text = (b64: string | undefined) => Buffer.from(b64 ?? '', 'base64').toString('utf8');
    const conf =
        repo === 's3'
            ? `[global]\nrepo1-s3-key=${text(v4Data['aws-s3-key'])}\nrepo1-s3-key-secret=${text(v4Data['aws-s3-key-secret'])}\n`
            : '[global]\nrepo1-gcs-key=/etc/pgbackrest/conf.d/gcs-key.json\n';
    return {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'kubectl-ivyo-upgrade' } },
        type: 'Opaque',
        data: {
            [`${repo}.conf`]: Buffer.from(conf).toString('base64'),
            ...(repo === 'gcs' ? { 'gcs-key.json': v4Data['gcs-key'] ?? '' } : {}),
        },
    };
}
