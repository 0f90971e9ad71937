import type { KubeObject, Pgcluster } from '../../src/kube/types.js';
import { inspectCluster } from '../../src/v4/model.js';
import { backupsManifest } from '../../src/v5/backups-manifest.js';
import type { RepoKind } from '../../src/v5/repository.js';
import { FLAVORS, type FlavorName } from '../../src/targets/flavors.js';
import { backupsVerdict, volumesVerdict } from '../../src/v5/generate-checks.js';
import { volumesManifest } from '../../src/v5/manifest.js';
import { SCENARIOS, v4Cluster } from '../fixtures/v4/cluster.js';
import { snapshotOf } from './snapshot.js';

export const IMAGES = { image: 'registry.example.com/postgres:ubi8-13.10', pgbackrestImage: 'registry.example.com/pgbackrest:ubi8-2.47' };

const S3 = { bucket: 'hippo-backups', endpoint: 's3.us-east-1.amazonaws.com', region: 'us-east-1' };

/** v4 clusters the golden manifests are made from, by name. */
const SOURCES = {
    ...SCENARIOS,
    s3CustomPath: (namespace?: string) => v4Cluster({ namespace, repo: { pvc: false, types: ['s3'], path: '/backrestrepo/custom/hippo-repo', s3: S3 } }),
    /** S3 only: v4 still made the repo PVC, and never wrote to it. */
    s3Only: (namespace?: string) => v4Cluster({ namespace, repo: { types: ['s3'], s3: S3 } }),
} satisfies Record<string, (namespace?: string) => KubeObject[]>;
type Source = keyof typeof SOURCES;

interface GoldenCase {
    file: string;
    flavor: FlavorName;
    source: Source;
    backups?: { repo: RepoKind; restoreType?: string; restoreTarget?: string };
}

/** The physical methods are for PGO v5 only: IVYO cannot run v4 data (generate refuses it; unit tests prove it). */
const both = (make: (flavor: FlavorName) => GoldenCase): GoldenCase[] => [make('pgo')];

/** `generate` cases kept as golden files: volumes for six clusters, backups for every kind of repository. */
export const GOLDEN_CASES: GoldenCase[] = [
    ...(['fresh', 'failover', 'wal', 'customRepoPath', 'missingRepoPvc', 's3Only'] as const).flatMap((source) =>
        both((flavor) => ({ file: `volumes-${source}-${flavor}.yaml`, flavor, source })),
    ),
    ...both((flavor) => ({ file: `backups-posix-failover-${flavor}.yaml`, flavor, source: 'failover', backups: { repo: 'posix' } })),
    ...both((flavor) => ({ file: `backups-s3-${flavor}.yaml`, flavor, source: 's3', backups: { repo: 's3' } })),
    ...both((flavor) => ({ file: `backups-gcs-${flavor}.yaml`, flavor, source: 'gcs', backups: { repo: 'gcs' } })),
    ...both((flavor) => ({ file: `backups-s3-custom-path-${flavor}.yaml`, flavor, source: 's3CustomPath', backups: { repo: 's3' } })),
    ...both((flavor) => ({
        file: `backups-pitr-${flavor}.yaml`,
        flavor,
        source: 'fresh',
        backups: { repo: 'posix', restoreType: 'time', restoreTarget: '2026-11-20 14:15:11+00' },
    })),
];

/** What `generate` prints for a case (with images for PostgreSQL 13), computed without a server. */
export function generateOffline(c: GoldenCase, namespace: string, v4Live = false) {
    const objects = SOURCES[c.source](namespace);
    const snapshot = snapshotOf(objects);
    const pgcluster = snapshot.pgclusters[0] as Pgcluster;
    const flavor = FLAVORS[c.flavor];
    const target = { flavor, installed: true, selectedBy: 'flag' as const };
    // After prepare, v4 has deleted its Patroni ConfigMap: judge collisions as the live namespace would show them.
    const inspection = inspectCluster(v4Live ? snapshot : { ...snapshot, configMaps: [] }, pgcluster, target);
    const base = { flavor, name: pgcluster.metadata.name, namespace, ...IMAGES };
    if (!c.backups) {
        const verdict = volumesVerdict(inspection, { flavor, ...IMAGES, v4Live });
        return { verdict, manifest: verdict.postgresVersion === null ? null : volumesManifest(inspection, { ...base, postgresVersion: verdict.postgresVersion }) };
    }
    const verdict = backupsVerdict(inspection, { flavor, ...IMAGES, v4Live, ...c.backups });
    return {
        verdict,
        manifest:
            verdict.postgresVersion === null
                ? null
                : backupsManifest(inspection, { ...base, postgresVersion: verdict.postgresVersion, repo: c.backups.repo, restoreOptions: verdict.restoreOptions }),
    };
}
