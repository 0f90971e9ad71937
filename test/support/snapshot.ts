import type { KubeObject, PersistentVolume, PersistentVolumeClaim, Pgcluster } from '../../src/kube/types.js';
import type { V4Snapshot } from '../../src/v4/snapshot.js';
import type { PrepareState } from '../../src/v4/prepare-state.js';
import type { TargetChoice } from '../../src/targets/choice.js';
import { inspectCluster } from '../../src/v4/model.js';

const metadataOnly = (o: KubeObject): KubeObject => ({ metadata: o.metadata });
const ofKind = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind);

/** The snapshot `observe()` would read from a server holding these objects (metadata-only where it asks so). */
export function snapshotOf(objects: KubeObject[], pvsUnreadable: string | null = null): V4Snapshot {
    const deployments = ofKind(objects, 'Deployment');
    return {
        pgclusters: ofKind(objects, 'Pgcluster') as Pgcluster[],
        pgreplicas: ofKind(objects, 'Pgreplica'),
        deployments: deployments.filter((d) => d.metadata.labels?.['pg-cluster']),
        pods: ofKind(objects, 'Pod')
            .filter((p) => p.metadata.labels?.['pg-cluster'])
            .map(metadataOnly),
        pvcs: ofKind(objects, 'PersistentVolumeClaim'),
        pvs: pvsUnreadable ? [] : ofKind(objects, 'PersistentVolume'),
        pvsUnreadable,
        secrets: ofKind(objects, 'Secret').map(metadataOnly),
        configMaps: ofKind(objects, 'ConfigMap').map(metadataOnly),
        services: ofKind(objects, 'Service').map(metadataOnly),
        deploymentNames: deployments.map(metadataOnly),
        preflights: ofKind(objects, 'ConfigMap').filter((c) => c.metadata.labels?.['ivyo-upgrade.ivorysql.org/preflight']),
    };
}

/** The state prepare reads from a server holding these objects, before any step (no record, no tasks or Jobs yet). */
export function prepareStateOf(objects: KubeObject[], extra: Partial<PrepareState>, to: TargetChoice): PrepareState {
    const snapshot = snapshotOf(objects);
    const pgcluster = (snapshot.pgclusters[0] as Pgcluster | undefined) ?? null;
    return {
        cluster: 'hippo',
        namespace: 'pgo',
        pgcluster,
        live: pgcluster ? inspectCluster(snapshot, pgcluster, to) : null,
        record: null,
        recordedCapture: null,
        liveCapture: null,
        pvcs: new Map(snapshot.pvcs.map((p) => [p.metadata.name, p as PersistentVolumeClaim])),
        pvs: new Map(snapshot.pvs.map((p) => [p.metadata.name, p as PersistentVolume])),
        deployments: snapshot.deployments,
        pgreplicas: snapshot.pgreplicas,
        pgtasks: [],
        rmdataJobs: [],
        backupJobs: [],
        pods: objects.filter((o) => o.kind === 'Pod'),
        ...extra,
    };
}
