import type { FlavorName } from '../targets/flavors.js';
import type { PreflightFacts } from './preflight.js';

/** What `inspect` reports; `-o json|yaml` prints it as is, so every field here is documented in README. */
export interface Inspection {
    cluster: {
        name: string;
        namespace: string;
        state: string | null;
        postgresMajor: number | null;
        image: string | null;
        port: number | null;
        /** The v4 application user and database (`spec.user`, `spec.database`). */
        user: string | null;
        database: string | null;
        /** `spec.standby`: a v4 standby follows another cluster's repository; no method upgrades it as it is. */
        standby: boolean;
        /** The v5 cluster `promote` handed v4's data to (annotation ivyo-upgrade.ivorysql.org/promoted-to): v4 must not run again. */
        promotedTo?: string | null;
    };
    primary: {
        deployment: string | null;
        /** The pod labelled role=master, when one exists. */
        pod: string | null;
        /** `agrees`, `disagrees` (annotation and pod name different deployments) or `no-pod`. */
        podCheck: 'agrees' | 'disagrees' | 'no-pod';
        pvc: string | null;
        /** Basename of PGDATA: the `directory` of `spec.dataSource.volumes.pgDataVolume`. */
        dataDirectory: string | null;
    };
    wal: { pvc: string; directory: string | null } | null;
    tablespaces: { name: string; pvc: string }[];
    /**
     * `pgreplica` names the Pgreplica object of the replica; null when there is none (an original primary).
     * `podsWanted` is the deployment's `spec.replicas` (0 once scaled to zero by hand).
     */
    replicas: { deployment: string | null; pgreplica: string | null; pvc: string | null; walPvc: string | null; podsWanted: number | null }[];
    repository: {
        pvc: string | null;
        /** The full v4 repo path (`repo1-path`). */
        path: string;
        /** The path below the repo PVC's mount: the `directory` of `pgBackRestVolume`. */
        directory: string | null;
        types: string[];
        /** Where the types were read: v4.6+ `spec`, v4.5 `userlabels`, v4.3/4.4 the pgcluster `label`, the primary's `env`, or the `default` (posix). */
        typesFrom: 'spec' | 'userlabels' | 'label' | 'env' | 'default';
        /** The primary's `PGBACKREST_REPO1_TYPE`, which confirms the types. */
        repo1TypeEnv: string | null;
        configSecret: string | null;
        s3: { bucket: string | null; endpoint: string | null; region: string | null; uriStyle: string | null; verifyTLS: boolean } | null;
        gcs: { bucket: string | null; endpoint: string | null; keyType: string | null } | null;
    };
    volumes: VolumeReport[];
    /** Names of the v4 user Secrets; never their values. */
    userSecrets: string[];
    target: {
        flavor: FlavorName;
        kind: string;
        apiVersion: string;
        installed: boolean;
        selectedBy: 'flag' | 'only-installed' | 'default';
        collisions: { kind: string; name: string }[];
    };
    /**
     * The logical move into a fresh v5 cluster beside v4: that cluster's default name, what its names would
     * collide with, and the facts prepare's preflight Job read on v4 through SQL (null: not read yet).
     */
    logical: {
        name: string;
        collisions: { kind: string; name: string }[];
        preflight: { readAt: string; facts: PreflightFacts } | null;
    };
    methods: Record<MethodName, Verdict>;
}

export type MethodName = 'volumes' | 'backups' | 'standby' | 'logical';
export const METHODS: MethodName[] = ['volumes', 'backups', 'standby', 'logical'];

export type VolumeRole = 'data' | 'wal' | 'tablespace' | 'repo' | 'replica-data' | 'replica-wal';

export interface VolumeReport {
    pvc: string;
    role: VolumeRole;
    /** The deployment that mounts it (the repo deployment for `repo`). */
    usedBy: string | null;
    exists: boolean;
    phase: string | null;
    pv: string | null;
    reclaimPolicy: string | null;
    storageClass: string | null;
    accessModes: string[];
    /** `spec.resources.requests.storage` exactly as written (`1G` is not `1Gi`). */
    size: string | null;
    /** The PV's volume source (`nfs`, `hostPath`, `csi:<driver>`, …). */
    source: string | null;
    /** Which v4 labels (`pg-cluster`, `vendor`) the PVC still carries. */
    v4Labels: string[];
    /** `Kind/name` of the object that controls the PVC (a controller ownerReference), if any. */
    controller: string | null;
}

export interface Finding {
    code: string;
    message: string;
}

export interface Verdict {
    ready: boolean;
    blockers: Finding[];
    warnings: Finding[];
}
