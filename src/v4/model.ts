import path from 'node:path';
import type { Deployment, KubeObject, PersistentVolumeClaim, Pgcluster } from '../kube/types.js';
import type { TargetChoice } from '../targets/choice.js';
import { apiVersionOf } from '../targets/flavors.js';
import { logicalName, v5ObjectNames } from '../targets/names.js';
import { recordedPreflight } from './preflight-record.js';
import type { Inspection, VolumeReport, VolumeRole } from './inspection.js';
import { V4, postgresMajorFromTag, PROMOTED_MARK } from './names.js';
import { inNamespace, type V4Snapshot } from './snapshot.js';
import { judge } from './verdicts.js';

/** Reads one v4 cluster out of a snapshot. Pure: objects in, inspection out. */
export function inspectCluster(snapshot: V4Snapshot, pgcluster: Pgcluster, target: TargetChoice): Inspection {
    const name = pgcluster.metadata.name;
    const namespace = pgcluster.metadata.namespace ?? '';
    const own = <T extends KubeObject>(xs: T[]) => inNamespace(xs, namespace);
    const ofCluster = <T extends KubeObject>(xs: T[]) => own(xs).filter((o) => o.metadata.labels?.[V4.label.cluster] === name);

    const deployments = ofCluster(snapshot.deployments);
    const dbDeployments = deployments.filter((d) => d.metadata.labels?.[V4.label.database] === 'true');
    const repoDeployment = deployments.find((d) => d.metadata.labels?.[V4.label.backrestRepo] === 'true');
    const pvcs = new Map(own(snapshot.pvcs).map((p) => [p.metadata.name, p]));

    const primary = findPrimary(pgcluster, ofCluster(snapshot.pods));
    const primaryDeployment = dbDeployments.find((d) => d.metadata.name === primary.deployment);
    const dataPvc = claimOf(primaryDeployment, V4.volume.data);
    const walPvc = claimOf(primaryDeployment, V4.volume.wal);
    const tablespaces = tablespacesOf(primaryDeployment);

    const pgreplicaNames = new Set(ofCluster(snapshot.pgreplicas).map((r) => r.metadata.name));
    const replicaDeployments = dbDeployments.filter((d) => d.metadata.name !== primary.deployment);
    const replicas = [
        ...replicaDeployments.map((d) => ({
            deployment: d.metadata.name,
            pgreplica: pgreplicaNames.has(d.metadata.name) ? d.metadata.name : null,
            pvc: claimOf(d, V4.volume.data),
            walPvc: claimOf(d, V4.volume.wal),
            podsWanted: d.spec?.replicas ?? null,
        })),
        ...[...pgreplicaNames]
            .filter((r) => r !== primary.deployment && !replicaDeployments.some((d) => d.metadata.name === r))
            .map((r) => ({ deployment: null, pgreplica: r, pvc: null, walPvc: null, podsWanted: null })),
    ];

    const repository = repositoryOf(pgcluster, repoDeployment, pvcs, own(snapshot.secrets), env(primaryDeployment, V4.env.repo1Type));
    const spec = pgcluster.spec ?? {};
    const image = imageOf(primaryDeployment) ?? specImage(pgcluster);
    const tag = image?.split(':').pop() ?? spec.ccpimagetag;

    const roles: [string | null, VolumeRole, string | null][] = [
        [dataPvc, 'data', primary.deployment],
        [walPvc, 'wal', primary.deployment],
        ...tablespaces.map((t): [string, VolumeRole, string | null] => [t.pvc, 'tablespace', primary.deployment]),
        [repository.pvc, 'repo', repoDeployment?.metadata.name ?? null],
        ...replicas.flatMap((r): [string | null, VolumeRole, string | null][] => [
            [r.pvc, 'replica-data', r.deployment],
            [r.walPvc, 'replica-wal', r.deployment],
        ]),
    ];
    const volumes = roles
        .filter((r): r is [string, VolumeRole, string | null] => r[0] !== null)
        .map(([pvc, role, usedBy]) => volumeReport(pvc, role, usedBy, pvcs.get(pvc), snapshot));

    const userSecrets = ofCluster(snapshot.secrets)
        .map((s) => s.metadata.name)
        .filter((n) => n !== V4.repoConfigSecret(name) && n.endsWith('-secret'))
        .sort();

    const existing = {
        ConfigMap: own(snapshot.configMaps),
        Service: own(snapshot.services),
        Deployment: own(snapshot.deploymentNames),
        Secret: own(snapshot.secrets),
    };
    const inspection: Omit<Inspection, 'methods'> = {
        cluster: {
            name,
            namespace,
            state: pgcluster.status?.state ?? null,
            postgresMajor: postgresMajorFromTag(tag),
            image,
            port: spec.port ? Number(spec.port) : null,
            user: spec.user || null,
            database: spec.database || null,
            standby: spec.standby === true,
            promotedTo: pgcluster.metadata.annotations?.[PROMOTED_MARK] ?? null,
        },
        primary: {
            deployment: primary.deployment,
            pod: primary.pod,
            podCheck: primary.podCheck,
            pvc: dataPvc,
            dataDirectory: basenameOf(env(primaryDeployment, V4.env.dataDir)),
        },
        wal: walPvc ? { pvc: walPvc, directory: basenameOf(env(primaryDeployment, V4.env.walDir)) } : null,
        tablespaces,
        replicas,
        repository,
        volumes,
        userSecrets,
        target: targetReport(target, collisionsFor(name, existing)),
        logical: { name: logicalName(name), collisions: collisionsFor(logicalName(name), existing), preflight: recordedPreflight(snapshot.preflights, namespace, name) },
    };
    return { ...inspection, methods: judge(inspection, target.flavor, snapshot.pvsUnreadable) };
}

function findPrimary(pgcluster: Pgcluster, pods: KubeObject[]) {
    const annotated = pgcluster.metadata.annotations?.[V4.annotation.currentPrimary] || null;
    const masterPod = pods.find((p) => p.metadata.labels?.[V4.label.role] === V4.masterRole && p.metadata.labels?.[V4.label.database] === 'true');
    const podDeployment = masterPod?.metadata.labels?.[V4.label.deploymentName] ?? null;
    // Without the annotation there is nothing to cross-check: the pod's deployment is the answer.
    const podCheck: Inspection['primary']['podCheck'] = !masterPod ? 'no-pod' : !annotated || podDeployment === annotated ? 'agrees' : 'disagrees';
    return { deployment: annotated ?? podDeployment, pod: masterPod?.metadata.name ?? null, podCheck };
}

function podSpec(d: Deployment | undefined) {
    return d?.spec?.template?.spec;
}

function claimOf(d: Deployment | undefined, volume: string): string | null {
    return podSpec(d)?.volumes?.find((v) => v.name === volume)?.persistentVolumeClaim?.claimName ?? null;
}

function tablespacesOf(d: Deployment | undefined): { name: string; pvc: string }[] {
    return (podSpec(d)?.volumes ?? []).flatMap((v) => {
        const pvc = v.persistentVolumeClaim?.claimName;
        return v.name.startsWith(V4.volume.tablespacePrefix) && pvc !== undefined ? [{ name: v.name.slice(V4.volume.tablespacePrefix.length), pvc }] : [];
    });
}

function databaseContainer(d: Deployment | undefined) {
    const containers = podSpec(d)?.containers ?? [];
    return containers.find((c) => c.name === V4.container) ?? containers[0];
}

function env(d: Deployment | undefined, name: string): string | null {
    return databaseContainer(d)?.env?.find((e) => e.name === name)?.value ?? null;
}

function imageOf(d: Deployment | undefined): string | null {
    return databaseContainer(d)?.image ?? null;
}

function specImage(c: Pgcluster): string | null {
    const s = c.spec ?? {};
    if (!s.ccpimage || !s.ccpimagetag) return null;
    return `${s.ccpimageprefix ? `${s.ccpimageprefix}/` : ''}${s.ccpimage}:${s.ccpimagetag}`;
}

function basenameOf(p: string | null): string | null {
    return p ? path.posix.basename(p) : null;
}

function repositoryOf(
    c: Pgcluster,
    repoDeployment: Deployment | undefined,
    pvcs: Map<string, PersistentVolumeClaim>,
    secrets: KubeObject[],
    repo1TypeEnv: string | null,
): Inspection['repository'] {
    const name = c.metadata.name;
    const spec = c.spec ?? {};
    const configSecret = secrets.find((s) => s.metadata.name === V4.repoConfigSecret(name));
    const note = (key: string) => configSecret?.metadata.annotations?.[key] || null;
    const repoPath = spec.backrestRepoPath || note(V4.annotation.repoPath) || V4.defaultRepoPath(name);
    const mounted = claimOf(repoDeployment, V4.volume.repo);
    const pvc = mounted ?? (pvcs.has(V4.repoPvc(name)) ? V4.repoPvc(name) : null);
    const { types, from: typesFrom } = storageTypes(c, repo1TypeEnv);
    const relative = path.posix.relative(V4.repoMount, repoPath);
    const directory = relative && !relative.startsWith('..') && !path.posix.isAbsolute(relative) ? relative : null;
    const verify = spec.backrestS3VerifyTLS || note(V4.annotation.s3VerifyTls);
    return {
        pvc,
        path: repoPath,
        directory,
        types,
        typesFrom,
        repo1TypeEnv,
        configSecret: configSecret?.metadata.name ?? null,
        s3: types.includes('s3')
            ? {
                  bucket: spec.backrestS3Bucket || note(V4.annotation.s3Bucket),
                  endpoint: spec.backrestS3Endpoint || note(V4.annotation.s3Endpoint),
                  region: spec.backrestS3Region || note(V4.annotation.s3Region),
                  uriStyle: spec.backrestS3URIStyle || note(V4.annotation.s3UriStyle),
                  verifyTLS: verify !== 'false',
              }
            : null,
        gcs: types.includes('gcs')
            ? {
                  bucket: spec.backrestGCSBucket || note(V4.annotation.gcsBucket),
                  endpoint: spec.backrestGCSEndpoint || note(V4.annotation.gcsEndpoint),
                  keyType: spec.backrestGCSKeyType || note(V4.annotation.gcsKeyType),
              }
            : null,
    };
}

/**
 * The repository's storage types, where each v4 version keeps them: 4.6+ `spec.backrestStorageTypes`, 4.5
 * `spec.userlabels["backrest-storage-type"]` (a comma list such as `local,s3`), 4.3/4.4 the pgcluster label
 * `backrest-storage-type` (CrunchyData/postgres-operator v4.5.1 internal/apiserver/clusterservice/clusterimpl.go;
 * v4.7.10 pkg/apis/crunchydata.com/v1/cluster.go). Else the primary's PGBACKREST_REPO1_TYPE, else posix.
 * `local` is v4's name for posix.
 */
function storageTypes(c: Pgcluster, repo1TypeEnv: string | null): { types: string[]; from: Inspection['repository']['typesFrom'] } {
    const normal = (list: string[]) => [
        ...new Set(
            list
                .map((t) => t.trim())
                .filter(Boolean)
                .map((t) => (t === 'local' ? 'posix' : t)),
        ),
    ];
    const candidates: [Inspection['repository']['typesFrom'], string[]][] = [
        ['spec', c.spec?.backrestStorageTypes ?? []],
        ['userlabels', (c.spec?.userlabels?.[V4.storageTypeKey] ?? '').split(',')],
        ['label', (c.metadata.labels?.[V4.storageTypeKey] ?? '').split(',')],
        ['env', repo1TypeEnv ? [repo1TypeEnv] : []],
    ];
    for (const [from, list] of candidates) {
        const types = normal(list);
        if (types.length > 0) return { types, from };
    }
    return { types: ['posix'], from: 'default' };
}

const PV_SOURCES = [
    'nfs',
    'hostPath',
    'local',
    'csi',
    'awsElasticBlockStore',
    'gcePersistentDisk',
    'azureDisk',
    'azureFile',
    'cephfs',
    'rbd',
    'iscsi',
    'fc',
    'glusterfs',
    'cinder',
    'vsphereVolume',
    'portworxVolume',
];

function volumeReport(pvcName: string, role: VolumeRole, usedBy: string | null, pvc: PersistentVolumeClaim | undefined, snapshot: V4Snapshot): VolumeReport {
    const pvName = pvc?.spec?.volumeName || null;
    const pv = pvName ? snapshot.pvs.find((p) => p.metadata.name === pvName) : undefined;
    const sourceKey = pv?.spec ? PV_SOURCES.find((k) => pv.spec?.[k] !== undefined) : undefined;
    const source = sourceKey === 'csi' ? `csi:${pv?.spec?.csi?.driver ?? ''}` : (sourceKey ?? null);
    return {
        pvc: pvcName,
        role,
        usedBy,
        exists: pvc !== undefined,
        phase: pvc?.status?.phase ?? null,
        pv: pvName,
        reclaimPolicy: pv?.spec?.persistentVolumeReclaimPolicy ?? null,
        storageClass: pvc?.spec?.storageClassName ?? null,
        accessModes: pvc?.spec?.accessModes ?? [],
        size: pvc?.spec?.resources?.requests?.storage ?? null,
        source,
        v4Labels: V4.pvcLabels.filter((l) => pvc?.metadata.labels?.[l] !== undefined),
        controller: controllerOf(pvc),
    };
}

function controllerOf(o: KubeObject | undefined): string | null {
    const ref = o?.metadata.ownerReferences?.find((r) => r.controller);
    return ref ? `${ref.kind}/${ref.name}` : null;
}

/** Existing objects of a namespace, by kind, whose names a v5 cluster called `name` would take. */
export function collisionsFor(name: string, existing: Record<string, KubeObject[]>): Inspection['target']['collisions'] {
    const planned = v5ObjectNames(name);
    return Object.entries(existing).flatMap(([kind, objects]) => objects.filter((o) => planned[kind]?.includes(o.metadata.name)).map((o) => ({ kind, name: o.metadata.name })));
}

function targetReport(target: TargetChoice, collisions: Inspection['target']['collisions']): Inspection['target'] {
    return {
        flavor: target.flavor.name,
        kind: target.flavor.kind,
        apiVersion: apiVersionOf(target.flavor),
        installed: target.installed,
        selectedBy: target.selectedBy,
        collisions,
    };
}

/** The same v4 facts judged for another target or v5 name: recorded inspections are re-judged this way. */
export function retarget(i: Inspection, target: TargetChoice, collisions: Inspection['target']['collisions']): Inspection {
    const { methods: _judgedBefore, ...facts } = i;
    const moved = { ...facts, target: targetReport(target, collisions) };
    return { ...moved, methods: judge(moved, target.flavor, null) };
}
