import type { KubeObject, Pgcluster } from '../../src/kube/types.js';
import type { V4Snapshot } from '../../src/v4/snapshot.js';

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
