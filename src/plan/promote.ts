import type { KubeClient } from '../kube/client.js';
import { paths } from '../kube/paths.js';
import { jsonPatchRequest, mergePatchRequest, send } from '../kube/writes.js';
import type { Flavor } from '../targets/flavors.js';
import { PROMOTED_MARK, V4 } from '../v4/names.js';
import { v5UserSecret } from '../v5/logical-job.js';
import { SOURCE_ANNOTATION } from '../v5/manifest.js';
import { EXEC_TIMEOUT_MS, readPromoteState, v4Remaining, type PromoteState } from '../v5/promote-state.js';
import { replicationRoleSql, type ReplayProof } from '../v5/replay.js';
import { PreconditionFailed, type Procedure } from './execute.js';

export interface PromoteOptions {
    /** `--confirm-replayed`: the user checked that the standby replayed v4's last archived WAL (the tool cannot read it). */
    confirmReplayed: boolean;
}

export type PromoteAction =
    | { kind: 'mark-v4' }
    | { kind: 'shutdown-v4' }
    | { kind: 'wait-v4-shutdown'; remaining: string[] }
    | { kind: 'wait-replay'; proof: ReplayProof }
    | { kind: 'promote'; proof?: ReplayProof }
    | { kind: 'wait-primary'; why: string }
    | { kind: 'create-replication-role'; pod: string };

export const isPromoteWait = (a: PromoteAction) => a.kind.startsWith('wait-');

/**
 * What is left of the cut-over of method 3, from the live state (CrunchyData/postgres-operator
 * docs/content/upgrade/v4tov5/upgrade-method-3-standby-cluster.md step 5): v4 shut down the v4 way (`spec.shutdown`,
 * which v4.7.9 internal/operator/cluster/clusterlogic.go ShutdownCluster turns into every Deployment at 0 and the
 * state `pgcluster Shutdown`), then the standby promoted (`spec.standby.enabled: false`). Never while v4 runs: its
 * last WAL goes to the repository only as PostgreSQL stops (src/backend/access/transam/xlog.c ShutdownXLOG switches
 * to a new segment when archiving), and two clusters must never write to one repository path.
 */
export function planPromote(s: PromoteState, o: PromoteOptions): PromoteAction[] {
    const c = s.cluster;
    const here = `-n ${s.namespace}`;
    if (!c) {
        throw new PreconditionFailed(
            `no ${s.flavor.kind} ${s.v5Name} in namespace ${s.namespace}: make the standby first ("kubectl ivyo-upgrade apply ${s.v4Cluster} ${here} --method standby --target ${s.flavor.name}"), or name it with --name`,
        );
    }
    const source = c.metadata.annotations?.[SOURCE_ANNOTATION];
    if (source !== s.v4Cluster) {
        throw new PreconditionFailed(
            `${s.flavor.kind} ${s.v5Name} in namespace ${s.namespace} was not made by this tool from v4 cluster ${s.v4Cluster} (annotation ${SOURCE_ANNOTATION}: ${source ?? 'none'}): promote only takes over a standby it made`,
        );
    }
    if (c.spec?.standby === undefined) {
        throw new PreconditionFailed(`${s.flavor.kind} ${s.v5Name} in namespace ${s.namespace} is no standby (spec.standby): there is nothing to promote`);
    }
    const promoted = c.spec.standby.enabled === false;
    const v4 = s.pgcluster;
    const marked = v4?.metadata.annotations?.[PROMOTED_MARK] === s.v5Name;
    if (promoted) {
        const r = s.role;
        return [
            ...(v4 && !marked ? [{ kind: 'mark-v4' as const }] : []),
            ...(r && 'waiting' in r ? [{ kind: 'wait-primary' as const, why: r.waiting }] : []),
            ...(r && 'ready' in r && !r.ready ? [{ kind: 'create-replication-role' as const, pod: r.pod }] : []),
        ];
    }
    if (!v4) {
        throw new PreconditionFailed(
            `pgcluster ${s.v4Cluster} is gone from namespace ${s.namespace}: promote cannot shut it down the v4 way, so it cannot tell whether its last WAL reached the repository. Check that ${s.v5Name} replayed v4's last archived WAL yourself, then promote by hand (README, "Method 3")`,
        );
    }
    const missing = (c.spec.users ?? []).map((u) => u.name).filter((u) => s.secrets.has(V4.userSecret(s.v4Cluster, u)) && !s.secrets.has(v5UserSecret(s.v5Name, u)));
    if (missing.length > 0) {
        throw new PreconditionFailed(
            `the v4 password of ${missing.join(', ')} is not in ${s.v5Name}'s Secrets yet (${missing.map((u) => v5UserSecret(s.v5Name, u)).join(', ')}): run "kubectl ivyo-upgrade apply ${s.v4Cluster} ${here} --method standby --target ${s.flavor.name}" again, which copies them, before v4 is shut down`,
        );
    }
    if (s.archiveAsync && v4.spec?.shutdown !== true) {
        throw new PreconditionFailed(
            `v4 archives asynchronously (${s.archiveAsync}): a segment still in its spool when it stops never reaches the repository, and the standby could not replay it. Set archive-async=n there (pgBackRest reads it at the next archive-push), then run promote again`,
        );
    }
    const actions: PromoteAction[] = [];
    if (!marked) actions.push({ kind: 'mark-v4' });
    if (v4.spec?.shutdown !== true) actions.push({ kind: 'shutdown-v4' });
    const remaining = v4Remaining(v4, s.v4Deployments, s.v4Pods);
    if (actions.length > 0 || remaining.length > 0) return [...actions, { kind: 'wait-v4-shutdown', remaining }];
    // The proof (src/v5/replay.ts): the standby's replay position at or past the end of v4's newest archived segment.
    const r = s.replay;
    if (r && 'proof' in r) return [r.proof.ok ? { kind: 'promote', proof: r.proof } : { kind: 'wait-replay', proof: r.proof }];
    if (!o.confirmReplayed) throw new PreconditionFailed(replayCheck(s, r?.unreadable ?? 'the replay could not be read'));
    return [{ kind: 'promote' }];
}

/** The check promote could not make itself (no exec into the standby leader, say): what to run, and how to go on. */
function replayCheck(s: PromoteState, why: string): string {
    const here = `-n ${s.namespace}`;
    return (
        `v4 cluster ${s.v4Cluster} is shut down; ${s.v5Name} is still a standby. promote could not check that it replayed everything v4 archived (${why}); check it yourself:\n` +
        `  1. find the standby leader, the pod whose annotation status says "role":"standby_leader" (PGO v5.8.9 internal/patroni/reconcile.go PodIsStandbyLeader): kubectl get pods ${here} -l ${s.flavor.labelPrefix}cluster=${s.v5Name} -o custom-columns=NAME:.metadata.name,STATUS:.metadata.annotations.status\n` +
        `  2. its position: kubectl exec ${here} POD -c database -- psql -Atc "SELECT pg_last_wal_replay_lsn()"\n` +
        `  3. v4's last archived segment: kubectl exec ${here} POD -c database -- pgbackrest info (repo1 is v4's repository; "wal archive min/max"): v4's shutdown switched to a new segment so that all its records were archived, and the position of step 2 must have reached the end of that max segment (if not, the standby is still restoring it: wait and look again)\n` +
        `Then run: kubectl ivyo-upgrade promote ${s.v4Cluster} ${here} --confirm-replayed`
    );
}

export function describePromote(a: PromoteAction, s: Pick<PromoteState, 'v4Cluster' | 'v5Name' | 'flavor'>): string {
    switch (a.kind) {
        case 'mark-v4':
            return `annotate pgcluster ${s.v4Cluster} ${PROMOTED_MARK}=${s.v5Name}, so no later step of this tool starts it again`;
        case 'shutdown-v4':
            return `shut v4 cluster ${s.v4Cluster} down the v4 way (spec.shutdown: true; the v4 operator scales its deployments to 0, and PostgreSQL archives its last WAL as it stops)`;
        case 'wait-v4-shutdown':
            return `wait for the v4 operator to shut ${s.v4Cluster} down${a.remaining.length > 0 ? ` (still: ${a.remaining.join(', ')})` : ''}`;
        case 'wait-replay':
            return `wait for ${s.v5Name} to replay v4's last archived WAL (at ${a.proof.replayed}; the newest segment, ${a.proof.archived}, ends at ${a.proof.archivedEnd})`;
        case 'wait-primary':
            return `wait for ${s.v5Name} to take writes (${a.why})`;
        case 'create-replication-role':
            return `create the replication role ${s.flavor.replicationUser} (LOGIN REPLICATION, and the grants pg_rewind needs) with psql in pod ${a.pod}: Patroni makes it only when a cluster bootstraps`;
        case 'promote':
            return `promote ${s.flavor.kind} ${s.v5Name} (spec.standby.enabled: false, a JSON patch with a test op)${a.proof ? `, which replayed everything v4 archived (at ${a.proof.replayed}, past the end of ${a.proof.archived})` : ', as you confirmed it replayed everything v4 archived'}: it takes writes from now on, and v4 must never start again`;
    }
}

export function promoteStandby(
    client: KubeClient,
    flavor: Flavor,
    namespace: string,
    v4Cluster: string,
    v5Name: string,
    o: PromoteOptions,
): Procedure<PromoteState, PromoteAction> {
    return {
        title: `promote ${flavor.kind} ${v5Name} in namespace ${namespace}, the standby of v4 cluster ${v4Cluster}`,
        observe: () => readPromoteState(client, flavor, namespace, v4Cluster, v5Name),
        plan: (s) => planPromote(s, o),
        notes: (s) =>
            s.cluster?.spec?.standby?.enabled === true
                ? [
                      `once v4 is shut down, promote reads in ${v5Name}'s standby leader whether it replayed v4's last archived WAL, and waits for it; where it cannot read it, it stops for you to check${o.confirmReplayed ? ' (you confirmed already with --confirm-replayed)' : ''}`,
                  ]
                : [],
        describe: describePromote,
        isWait: isPromoteWait,
        async execute(a, s, dryRun) {
            const v4 = paths.pgcluster(namespace, v4Cluster);
            const uid = s.pgcluster?.metadata.uid;
            switch (a.kind) {
                case 'mark-v4':
                    await send(client, mergePatchRequest(v4, { metadata: { annotations: { [PROMOTED_MARK]: v5Name } } }), { dryRun });
                    return;
                case 'shutdown-v4':
                    await send(
                        client,
                        jsonPatchRequest(v4, [
                            { op: 'test', path: '/metadata/uid', value: uid },
                            { op: 'add', path: '/spec/shutdown', value: true },
                        ]),
                        { dryRun },
                    );
                    return;
                case 'promote':
                    await send(
                        client,
                        jsonPatchRequest(paths.v5Cluster(flavor, namespace, v5Name), [
                            { op: 'test', path: '/metadata/uid', value: s.cluster?.metadata.uid },
                            { op: 'test', path: '/spec/standby/enabled', value: true },
                            { op: 'replace', path: '/spec/standby/enabled', value: false },
                        ]),
                        { dryRun },
                    );
                    return;
                case 'create-replication-role':
                    // psql in the pod writes: a dry run leaves it out, as it does every write.
                    if (!dryRun)
                        await client.exec(
                            namespace,
                            a.pod,
                            'database',
                            ['psql', '-XAt', '-v', 'ON_ERROR_STOP=1', '-c', replicationRoleSql(flavor.replicationUser)],
                            EXEC_TIMEOUT_MS,
                        );
                    return;
                default:
                    return;
            }
        },
        unverifiableInDryRun: (a) => (a.kind === 'create-replication-role' ? 'psql in a pod has no server dry run' : null),
        // The promotion comes after v4's shutdown: a user who may shut v4 down but not promote must learn it first.
        laterWrites: (s) => (s.cluster?.spec?.standby?.enabled === true ? [{ kind: 'promote' }] : []),
        onTimeout: (a) =>
            a.kind === 'wait-replay'
                ? `${v5Name} has not replayed v4's last archived WAL (at ${a.proof.replayed}; ${a.proof.archived} ends at ${a.proof.archivedEnd}): "kubectl logs -n ${namespace} -l ${flavor.labelPrefix}cluster=${v5Name} -c database" shows its restore_command; nothing was promoted, run promote again to go on waiting`
                : `${a.kind === 'wait-v4-shutdown' && a.remaining.length > 0 ? `still: ${a.remaining.join(', ')}; ` : ''}is the PGO v4 operator running and watching namespace ${namespace}? "kubectl describe pgclusters.crunchydata.com ${v4Cluster} -n ${namespace}" shows its state; run promote again to go on waiting`,
    };
}
