import type { KubeClient } from '../kube/client.js';
import { jobSucceeded } from '../kube/jobs.js';
import type { Job } from '../kube/types.js';
import { paths } from '../kube/paths.js';
import { applyRequest, createRequest, deleteRequest, send } from '../kube/writes.js';
import type { Flavor } from '../targets/flavors.js';
import type { V5Cluster } from '../v5/cluster.js';
import { logicalJob, logicalJobName, type CopyMode, type LogicalStep } from '../v5/logical-job.js';
import { readLogicalState, readPreflightState, type LogicalState, type PreflightState } from '../v5/logical-state.js';
import { passwordCopyRequest, tlsBuildRequest } from './apply-procedure.js';
import type { Procedure } from './execute.js';
import {
    describeLogicalAction,
    describePreflightAction,
    isLogicalWait,
    planCutover,
    planLogicalApply,
    planPreflight,
    type LogicalAction,
    type PreflightAction,
} from './logical.js';
import type { TargetChoice } from '../targets/choice.js';
import { parsePreflight } from '../v4/preflight.js';
import { preflightConfigMap } from '../v4/preflight-record.js';

interface Target {
    client: KubeClient;
    flavor: Flavor;
    manifest: V5Cluster;
    v4Cluster: string;
    v4Served: boolean;
}

/** The parts both logical procedures share: reading the state, and doing each kind of step. */
function logicalProcedure(
    t: Target,
    title: string,
    plan: (s: LogicalState) => LogicalAction[],
    job: { jobs?: number },
    notes?: (s: LogicalState) => string[],
): Procedure<LogicalState, LogicalAction> {
    const { client, flavor, manifest, v4Cluster } = t;
    const namespace = manifest.metadata.namespace ?? '';
    const name = manifest.metadata.name;
    const jobFor = (step: LogicalStep, s: LogicalState) =>
        logicalJob({
            step,
            namespace,
            v4: { cluster: v4Cluster, port: Number(s.v4?.spec?.port ?? 5432) },
            v5: { cluster: name, port: manifest.spec?.port ?? 5432, flavor },
            image: s.image ?? '',
            ...job,
        });
    return {
        title,
        observe: () => readLogicalState(client, flavor, manifest, v4Cluster, t.v4Served),
        plan,
        notes,
        describe: describeLogicalAction,
        isWait: isLogicalWait,
        async execute(a, s, dryRun) {
            switch (a.kind) {
                case 'copy-password':
                    await send(client, await passwordCopyRequest(client, flavor, namespace, name, a), { dryRun });
                    return;
                case 'build-tls':
                    await send(client, await tlsBuildRequest(client, namespace, a), { dryRun });
                    return;
                case 'apply-cluster':
                    await send(client, applyRequest(paths.v5Cluster(flavor, namespace, name), manifest), { dryRun });
                    return;
                case 'create-job':
                    await send(client, createRequest(paths.job(namespace), jobFor(a.step, s)), { dryRun });
                    return;
                default:
                    return;
            }
        },
        unverifiableInDryRun: (a, s) => (a.kind === 'create-job' && !s.image ? `the image is known once ${flavor.kind} ${name} runs` : null),
        onTimeout(a) {
            if (a.kind === 'wait-job') {
                return `Job ${a.job} has not finished: "kubectl get pods -n ${namespace} -l job-name=${a.job}" shows its pod (Pending: no node could run it), "kubectl logs job/${a.job} -n ${namespace}" its progress; run this step again to go on waiting`;
            }
            return `${describeLogicalAction(a, { manifest, flavor, image: null })} did not happen: is the ${flavor.product} operator running and watching namespace ${namespace}? "kubectl describe ${flavor.plural}.${flavor.group} ${name} -n ${namespace}" shows its events; run this step again to go on waiting`;
        },
    };
}

/** apply --method logical: the fresh cluster, then the copy or the replication. */
export function logicalApply(t: Target, o: { copy: CopyMode; keepPasswords: boolean; jobs?: number }): Procedure<LogicalState, LogicalAction> {
    const ns = t.manifest.metadata.namespace ?? '';
    return logicalProcedure(
        t,
        `create ${t.flavor.kind} ${t.manifest.metadata.name} in namespace ${ns} and fill it from v4 cluster ${t.v4Cluster} (${o.copy === 'dump' ? 'pg_dump and pg_restore' : 'logical replication'})`,
        (s) => planLogicalApply(s, o),
        { jobs: o.jobs },
        () =>
            o.copy === 'dump'
                ? [
                      `writes to v4 cluster ${t.v4Cluster} must stop for the whole copy: anything written after the copy starts is not moved (--copy replicate keeps v4 writable until the cut-over)`,
                  ]
                : [],
    );
}

/** cutover: stop v4's writes, let v5 catch up, and end the replication (or, with undo, give v4 its logins back). */
export function cutover(t: Target, o: { undo: boolean }): Procedure<LogicalState, LogicalAction> {
    const ns = t.manifest.metadata.namespace ?? '';
    const name = t.manifest.metadata.name;
    return logicalProcedure(
        t,
        o.undo
            ? `give v4 cluster ${t.v4Cluster}'s application logins back in namespace ${ns}`
            : `cut over from v4 cluster ${t.v4Cluster} to ${t.flavor.kind} ${name} in namespace ${ns}`,
        (s) => planCutover(s, o),
        {},
        () =>
            o.undo
                ? []
                : [
                      `v4's application roles lose their logins and their sessions end: clients must move to ${name} afterwards (the table at the end says how); "cutover --undo" gives the logins back`,
                  ],
    );
}

/** prepare --method logical: a Job reads what decides the move on v4 (v4's own image, its psql), and its answer is recorded. */
export function preflight(client: KubeClient, namespace: string, v4Cluster: string, target: TargetChoice, v4Served: boolean): Procedure<PreflightState, PreflightAction> {
    const run = { since: new Date().toISOString(), ours: new Set<string>() };
    return {
        title: `read v4 cluster ${v4Cluster} in namespace ${namespace} for a logical move (nothing of v4 changes)`,
        async observe() {
            const s = await readPreflightState(client, namespace, v4Cluster, target, v4Served);
            // A Job seen running is this prepare's to wait for (an earlier prepare may have left it running).
            if (s.job?.metadata.uid && !jobSucceeded(s.job)) run.ours.add(s.job.metadata.uid);
            return s;
        },
        plan: (s) => planPreflight(s, run),
        describe: describePreflightAction,
        isWait: (a) => a.kind === 'wait-preflight-job',
        async execute(a, s, dryRun) {
            const i = s.inspection;
            if (a.kind === 'delete-preflight-job' && s.job?.metadata.uid) {
                await send(client, deleteRequest(paths.job(namespace, a.job), { propagationPolicy: 'Background', preconditions: { uid: s.job.metadata.uid } }), { dryRun });
            }
            if (a.kind === 'create-preflight-job' && i) {
                const job = logicalJob({ step: 'preflight', namespace, v4: { cluster: v4Cluster, port: i.cluster.port ?? 5432 }, v5: null, image: i.cluster.image ?? '' });
                const created = await send<Job>(client, createRequest(paths.job(namespace), job), { dryRun });
                if (!dryRun && created.metadata.uid) run.ours.add(created.metadata.uid);
            }
            if (a.kind === 'record-preflight') {
                // Parsed before it is written: a damaged answer stops here, and the record keeps what it had.
                const facts = parsePreflight(s.answer ?? '');
                const cm = preflightConfigMap(namespace, v4Cluster, { readAt: new Date().toISOString(), facts });
                await send(client, applyRequest(paths.configMap(namespace, cm.metadata.name), cm), { dryRun });
            }
        },
        unverifiableInDryRun: (a) => (a.kind === 'record-preflight' ? 'the answer exists once the Job ran' : null),
        onTimeout(a, s) {
            return (
                `Job ${a.kind === 'record-preflight' ? a.configMap : a.job} has not finished: its pod has not run ("kubectl get pods -n ${namespace} -l job-name=${logicalJobName(v4Cluster, 'preflight')}" shows why), so SQL cannot be run on v4 from here. ` +
                `The move can go on without these facts: apply's copy Job checks the same on v4 before it writes. To read them by hand, run psql in v4's primary: kubectl exec -it -n ${namespace} deploy/${s.inspection?.primary.deployment ?? v4Cluster} -c database -- psql -c "show wal_level" -c "\\l+"; run prepare again to go on waiting`
            );
        },
    };
}
