import type { KubeObject, Pgcluster } from '../../src/kube/types.js';
import { inspectCluster } from '../../src/v4/model.js';
import { FLAVORS, type FlavorName } from '../../src/v5/flavors.js';
import { volumesVerdict } from '../../src/v5/generate-checks.js';
import { volumesManifest } from '../../src/v5/manifest.js';
import { SCENARIOS } from '../fixtures/v4/cluster.js';
import { snapshotOf } from './snapshot.js';

/** The `generate --method volumes` cases kept as golden files: scenario × target, with images for PG 13. */
export const GOLDEN_SCENARIOS = ['fresh', 'failover', 'wal', 'customRepoPath', 'missingRepoPvc'] as const;
export const GOLDEN_CASES = GOLDEN_SCENARIOS.flatMap((scenario) => (['ivyo', 'pgo'] as FlavorName[]).map((flavor) => ({ scenario, flavor, file: `volumes-${scenario}-${flavor}.yaml` })));

export const IMAGES = { image: 'registry.example.com/postgres:ubi8-13.10', pgbackrestImage: 'registry.example.com/pgbackrest:ubi8-2.47' };

/** What `generate <cluster> --method volumes --image … --pgbackrest-image …` prints, computed without a server. */
export function generateOffline(objects: KubeObject[], flavor: FlavorName, namespace: string, v4Live = false) {
    const snapshot = snapshotOf(objects);
    const pgcluster = snapshot.pgclusters[0] as Pgcluster;
    const target = { flavor: FLAVORS[flavor], installed: true, selectedBy: 'flag' as const };
    // After prepare, v4 has deleted its Patroni ConfigMap: judge collisions as the live namespace would show them.
    const inspection = inspectCluster(v4Live ? snapshot : { ...snapshot, configMaps: [] }, pgcluster, target);
    const verdict = volumesVerdict(inspection, { flavor: FLAVORS[flavor], ...IMAGES, v4Live });
    if (verdict.postgresVersion === null) return { verdict, manifest: null };
    const manifest = volumesManifest(inspection, { flavor: FLAVORS[flavor], name: pgcluster.metadata.name, namespace, postgresVersion: verdict.postgresVersion, ...IMAGES });
    return { verdict, manifest };
}

export function scenarioObjects(scenario: (typeof GOLDEN_SCENARIOS)[number], namespace: string): KubeObject[] {
    return SCENARIOS[scenario](namespace);
}
