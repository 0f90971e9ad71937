/** Wire-form Kubernetes objects: only the fields this tool reads, as the API server sends them. */

export type Labels = Record<string, string>;

export interface ObjectMeta {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Labels;
    annotations?: Labels;
    resourceVersion?: string;
    deletionTimestamp?: string;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
}

export interface KubeObject {
    apiVersion?: string;
    kind?: string;
    metadata: ObjectMeta;
}

export interface ObjectList<T> {
    items?: T[];
    metadata?: { continue?: string; resourceVersion?: string };
}

export interface EnvVar {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

export interface Volume {
    name: string;
    persistentVolumeClaim?: { claimName: string };
    emptyDir?: Record<string, never>;
}

export interface Container {
    name: string;
    image?: string;
    command?: string[];
    env?: EnvVar[];
    terminationMessagePolicy?: string;
    volumeMounts?: { name: string; mountPath: string }[];
}

export interface PodSpec {
    containers: Container[];
    volumes?: Volume[];
    restartPolicy?: string;
    automountServiceAccountToken?: boolean;
}

export interface Deployment extends KubeObject {
    spec?: { replicas?: number; template?: { metadata?: { labels?: Labels }; spec?: PodSpec } };
}

export interface PersistentVolumeClaim extends KubeObject {
    spec?: {
        accessModes?: string[];
        storageClassName?: string;
        volumeName?: string;
        volumeMode?: string;
        resources?: { requests?: { storage?: string } };
    };
    status?: { phase?: string; capacity?: { storage?: string } };
}

export interface PersistentVolume extends KubeObject {
    spec?: {
        persistentVolumeReclaimPolicy?: string;
        storageClassName?: string;
        capacity?: { storage?: string };
        claimRef?: { name?: string; namespace?: string };
        nfs?: unknown;
        hostPath?: unknown;
        local?: unknown;
        csi?: { driver?: string };
        [source: string]: unknown;
    };
    status?: { phase?: string };
}

/** PGO v4 `Pgcluster` (crunchydata.com/v1); keys keep their v4 spelling, capitals included. */
export interface Pgcluster extends KubeObject {
    spec?: {
        name?: string;
        clustername?: string;
        ccpimage?: string;
        ccpimagetag?: string;
        ccpimageprefix?: string;
        pgoimageprefix?: string;
        tolerations?: unknown[];
        port?: string;
        user?: string;
        database?: string;
        standby?: boolean;
        shutdown?: boolean;
        backrestStorageTypes?: string[];
        userlabels?: Record<string, string>;
        backrestRepoPath?: string;
        backrestS3Bucket?: string;
        backrestS3Endpoint?: string;
        backrestS3Region?: string;
        backrestS3URIStyle?: string;
        backrestS3VerifyTLS?: string;
        backrestGCSBucket?: string;
        backrestGCSEndpoint?: string;
        backrestGCSKeyType?: string;
        tablespaceMounts?: Record<string, unknown>;
    };
    status?: { state?: string; message?: string };
}

/** PGO v4 `Pgreplica`: its spec holds per-replica storage and placement (v4 pkg/apis/crunchydata.com/v1/replica.go). */
export type Pgreplica = KubeObject & { spec?: Record<string, unknown> };

/** PGO v4 `Pgtask`; the v4 job controller sets `spec.status` to "job completed" when its Job succeeds. */
export interface Pgtask extends KubeObject {
    spec?: { status?: string; tasktype?: string; parameters?: Record<string, string> };
}

export interface Job extends KubeObject {
    spec?: { backoffLimit?: number; template?: { metadata?: { labels?: Labels }; spec?: PodSpec } };
    status?: { succeeded?: number; failed?: number; active?: number; conditions?: { type: string; status: string }[] };
}

export interface Pod extends KubeObject {
    spec?: PodSpec;
    status?: {
        phase?: string;
        /** A finished container's termination message: how the preflight Job answers. */
        containerStatuses?: { name: string; state?: { terminated?: { exitCode?: number; message?: string }; waiting?: { reason?: string } } }[];
    };
}
