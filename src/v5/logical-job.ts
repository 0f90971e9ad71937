import type { Job } from '../kube/types.js';
import type { Flavor } from '../targets/flavors.js';
import { V4 } from '../v4/names.js';
import type { V5Cluster } from './cluster.js';
import { COPY_SCRIPT, CUTOVER_SCRIPT, PREFLIGHT_SCRIPT, REPLICATE_SCRIPT } from './logical-scripts.js';

/** The logical move's steps, each one Job: read v4 (prepare), copy or replicate (apply), cut over, or undo the cut-over's stop of v4's logins. */
export type LogicalStep = 'preflight' | 'copy' | 'replicate' | 'cutover' | 'undo';
export type CopyMode = 'dump' | 'replicate';

const SCRIPTS: Record<LogicalStep, string> = { preflight: PREFLIGHT_SCRIPT, copy: COPY_SCRIPT, replicate: REPLICATE_SCRIPT, cutover: CUTOVER_SCRIPT, undo: CUTOVER_SCRIPT };
export const STEP_LABEL = 'ivyo-upgrade.ivorysql.org/step';

/** The preflight is named after the v4 cluster (no v5 cluster exists yet); the other steps after the v5 cluster. */
export const logicalJobName = (cluster: string, step: LogicalStep) => `${cluster}-ivyo-upgrade-${step}`;

/** v4's primary Service and superuser Secret (PGO v4.7 cluster-service.json: the Service is named after the cluster; `<c>-postgres-secret`). */
export const v4PrimaryService = (v4Cluster: string) => v4Cluster;
export const v4SuperuserSecret = (v4Cluster: string) => `${v4Cluster}-postgres-secret`;
/** The v5 primary Service (IVYO and PGO internal/naming/names.go ClusterPrimaryService) and the superuser's Secret. */
export const v5PrimaryService = (v5Cluster: string) => `${v5Cluster}-primary`;
export const v5UserSecret = (v5Cluster: string, user: string) => `${v5Cluster}-pguser-${user}`;

export interface LogicalJobInput {
    step: LogicalStep;
    namespace: string;
    v4: { cluster: string; port: number };
    /** The target (not for the preflight, which reads v4 only). */
    v5: { cluster: string; port: number; flavor: Flavor } | null;
    /** Its psql, pg_dump and pg_restore run the script: the target's image (a newer pg_dump reads older servers), or v4's for the preflight. */
    image: string;
    /** pg_dump and pg_restore parallelism (copy). */
    jobs?: number;
}

const fromSecret = (name: string, secret: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });

/**
 * One step's Job. Credentials come only as Secret references (v4's superuser Secret, the v5 superuser's
 * `pguser` Secret): no password is in the spec or on the tool's output. Runs once (backoffLimit 0): a step
 * that failed is read and fixed, not retried blindly. The preflight writes its answer as the container's
 * termination message, which the pod's status carries back without a log read.
 */
export function logicalJob(j: LogicalJobInput): Job {
    const cluster = j.step === 'preflight' ? j.v4.cluster : (j.v5?.cluster ?? j.v4.cluster);
    const name = logicalJobName(cluster, j.step);
    const labels = { 'app.kubernetes.io/managed-by': 'kubectl-ivyo-upgrade', 'ivyo-upgrade.ivorysql.org/v4-cluster': j.v4.cluster, [STEP_LABEL]: j.step };
    const env = [
        { name: 'SOURCE_HOST', value: v4PrimaryService(j.v4.cluster) },
        { name: 'SOURCE_PORT', value: String(j.v4.port) },
        fromSecret('SOURCE_USER', v4SuperuserSecret(j.v4.cluster), 'username'),
        fromSecret('SOURCE_PASSWORD', v4SuperuserSecret(j.v4.cluster), 'password'),
        ...(j.v5
            ? [
                  { name: 'TARGET_HOST', value: v5PrimaryService(j.v5.cluster) },
                  { name: 'TARGET_PORT', value: String(j.v5.port) },
                  fromSecret('TARGET_USER', v5UserSecret(j.v5.cluster, j.v5.flavor.superuser), 'user'),
                  fromSecret('TARGET_PASSWORD', v5UserSecret(j.v5.cluster, j.v5.flavor.superuser), 'password'),
              ]
            : []),
        { name: 'WORK', value: '/work' },
        ...(j.jobs ? [{ name: 'JOBS', value: String(j.jobs) }] : []),
        // What the step found, for the tool to show: the container's termination message (at most 4 KiB).
        { name: 'RESULT_FILE', value: '/dev/termination-log' },
        ...(j.step === 'undo' ? [{ name: 'UNDO', value: '1' }] : []),
    ];
    return {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name, namespace: j.namespace, labels },
        spec: {
            backoffLimit: 0,
            template: {
                metadata: { labels },
                spec: {
                    restartPolicy: 'Never',
                    automountServiceAccountToken: false,
                    containers: [
                        {
                            name: j.step,
                            image: j.image,
                            command: ['bash', '-c', SCRIPTS[j.step]],
                            env,
                            terminationMessagePolicy: 'File',
                            volumeMounts: [{ name: 'work', mountPath: '/work' }],
                        },
                    ],
                    // The dump's scratch space: pg_dump's directory format, one database at a time.
                    volumes: [{ name: 'work', emptyDir: {} }],
                },
            },
        },
    };
}

/** What clients must change after the move: each v4 name and its v5 counterpart. */
export function clientChanges(s: { manifest: V5Cluster; v4Cluster: string; flavor: Flavor }): { object: string; v4: string; v5: string }[] {
    const name = s.manifest.metadata.name;
    const port = String(s.manifest.spec?.port ?? 5432);
    const rows = [{ object: 'Service (host)', v4: v4PrimaryService(s.v4Cluster), v5: `${v5PrimaryService(name)} (port ${port})` }];
    for (const { name: user } of s.manifest.spec?.users ?? []) {
        if (user === s.flavor.superuser) continue;
        rows.push({
            object: `Secret of user ${user}`,
            v4: `${V4.userSecret(s.v4Cluster, user)} (keys username, password)`,
            v5: `${v5UserSecret(name, user)} (keys user, password, host, port)`,
        });
    }
    rows.push({ object: 'superuser', v4: 'postgres', v5: `${s.flavor.superuser} (Secret ${v5UserSecret(name, s.flavor.superuser)})` });
    return rows;
}
