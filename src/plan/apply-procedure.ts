import type { KubeClient } from '../kube/client.js';
import { paths } from '../kube/paths.js';
import { removeVolumesSource } from '../kube/volume-writes.js';
import { applyRequest, createRequest, send, type WriteRequest } from '../kube/writes.js';
import { readApplyState, type ApplyState } from '../v5/apply-state.js';
import type { V5Cluster } from '../v5/cluster.js';
import { credentialsSecret } from '../v5/repository.js';
import { tlsSecret } from '../v5/carry-tls.js';
import { ExitCode, UserError } from '../errors.js';
import type { Flavor } from '../targets/flavors.js';
import { applyNotes, describeApplyAction, isApplyWait, planApply, type ApplyAction, type ApplyOptions } from './apply.js';
import type { Procedure } from './execute.js';

/** apply: create the v5 cluster (over the v4 volumes, or restoring from the v4 repository) and follow it until it runs. */
/** The Secret v5 reads a user's password from (`<cluster>-pguser-<user>`, labelled as the operator selects it). */
export function passwordSecret(flavor: Flavor, cluster: string, user: string, name: string, password: string): Record<string, unknown> {
    return {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, labels: { [`${flavor.labelPrefix}cluster`]: cluster, [`${flavor.labelPrefix}pguser`]: user } },
        data: { password },
    };
}

/** The Secret v5 reads a user's password from, made in the cluster from the v4 user Secret: the value never leaves the cluster. */
export async function passwordCopyRequest(
    client: KubeClient,
    flavor: Flavor,
    namespace: string,
    cluster: string,
    a: { user: string; from: string; to: string },
): Promise<WriteRequest> {
    const password = ((await client.get<{ data?: Record<string, string> }>(paths.secret(namespace, a.from))).data ?? {}).password;
    if (!password) throw new Error(`Secret ${a.from} has no password key`);
    return createRequest(paths.secret(namespace), passwordSecret(flavor, cluster, a.user, a.to, password));
}

/** A custom certificate's Secret, built in the cluster from v4's key pair and CA: the values never leave it. */
export async function tlsBuildRequest(client: KubeClient, namespace: string, a: { to: string; keyPair: string; ca: string }): Promise<WriteRequest> {
    const data = async (secret: string) => (await client.get<{ data?: Record<string, string> }>(paths.secret(namespace, secret))).data ?? {};
    const built = tlsSecret(a.to, await data(a.keyPair), await data(a.ca));
    if ('missing' in built) {
        throw new UserError(
            `Secret ${a.to} cannot be built: v4's ${a.keyPair} (tls.crt, tls.key) and ${a.ca} (ca.crt) lack ${built.missing.join(', ')} in namespace ${namespace}; create ${a.to} yourself, then run apply again`,
            ExitCode.Refused,
        );
    }
    return createRequest(paths.secret(namespace), built.secret);
}

export function applyCluster(
    client: KubeClient,
    flavor: Flavor,
    manifest: V5Cluster,
    v4Cluster: string,
    v4Served: boolean,
    options: ApplyOptions,
): Procedure<ApplyState, ApplyAction> {
    const namespace = manifest.metadata.namespace ?? '';
    const name = manifest.metadata.name;
    const path = paths.v5Cluster(flavor, namespace, name);
    const secrets = paths.secret(namespace);
    // Read and written inside the cluster: secret values pass through memory, never stdout.
    const v4SecretData = async (secret: string) => (await client.get<{ data?: Record<string, string> }>(paths.secret(namespace, secret))).data ?? {};
    return {
        title:
            manifest.spec?.standby?.enabled === true
                ? `apply ${flavor.kind} ${name} in namespace ${namespace}, a standby of v4 cluster ${v4Cluster}`
                : `apply ${flavor.kind} ${name} in namespace ${namespace} over the volumes of v4 cluster ${v4Cluster}`,
        observe: () => readApplyState(client, flavor, manifest, v4Cluster, v4Served),
        plan: (s) => planApply(s, options),
        notes: applyNotes,
        describe: describeApplyAction,
        isWait: isApplyWait,
        async execute(a, s, dryRun) {
            switch (a.kind) {
                case 'copy-password':
                    await send(client, await passwordCopyRequest(client, flavor, namespace, name, a), { dryRun });
                    return;
                case 'copy-repo-credentials': {
                    await send(client, createRequest(secrets, credentialsSecret(a.to, namespace, a.repo, await v4SecretData(a.from))), { dryRun });
                    return;
                }
                case 'build-tls':
                    await send(client, await tlsBuildRequest(client, namespace, a), { dryRun });
                    return;
                case 'apply-cluster':
                    await send(client, applyRequest(path, s.manifest), { dryRun });
                    return;
                case 'remove-volumes-source':
                    await send(client, removeVolumesSource(path, s.cluster?.spec?.dataSource?.volumes), { dryRun });
                    return;
                default:
                    return;
            }
        },
        unverifiableInDryRun: (a, s) => (a.kind === 'remove-volumes-source' && !s.cluster ? `${flavor.kind} ${name} exists only after a real run` : null),
        onTimeout(a) {
            const operator = `is the ${flavor.product} operator running and watching namespace ${namespace}? "kubectl describe ${flavor.plural}.${flavor.group} ${name} -n ${namespace}" shows its events; run apply again to go on waiting`;
            switch (a.kind) {
                case 'wait-move-jobs':
                    return `move Job ${a.jobs.join(', ')} did not complete (kubectl get jobs -n ${namespace}); ${operator}`;
                case 'wait-adoption':
                    return `PVC ${a.pvcs.join(', ')} not adopted yet; ${operator}`;
                default:
                    return `${describeApplyAction(a, { manifest, flavor })} did not happen; ${operator}`;
            }
        },
    };
}
