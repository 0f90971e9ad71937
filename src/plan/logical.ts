import { jobFailed, jobSucceeded } from '../kube/jobs.js';
import type { Job } from '../kube/types.js';
import { logicalFindings } from '../v4/preflight.js';
import { logicalJobName, v5UserSecret, type CopyMode, type LogicalStep } from '../v5/logical-job.js';
import type { LogicalState, PreflightState } from '../v5/logical-state.js';
import { preflightName } from '../v4/preflight-record.js';
import { checkOwnCluster, describeApplyAction, passwordCopies, tlsToBuild, type ApplyAction } from './apply.js';
import { PreconditionFailed } from './execute.js';

/** One step of the logical move. `wait-*` steps write nothing. */
export type LogicalAction =
    | Extract<ApplyAction, { kind: 'copy-password' }>
    | Extract<ApplyAction, { kind: 'build-tls' }>
    | { kind: 'apply-cluster' }
    | { kind: 'wait-instances' }
    | { kind: 'wait-superuser-secret'; secret: string }
    | { kind: 'wait-image' }
    | { kind: 'create-job'; step: LogicalStep; job: string }
    | { kind: 'wait-job'; step: LogicalStep; job: string };

export const isLogicalWait = (a: LogicalAction) => a.kind.startsWith('wait-');

const STEP_OF: Record<CopyMode, LogicalStep> = { dump: 'copy', replicate: 'replicate' };

/** The v4 cluster must be there: the move reads from it while it runs. */
function checkV4(s: LogicalState): void {
    if (!s.v4) {
        throw new PreconditionFailed(
            `pgcluster ${s.v4Cluster} not found in namespace ${s.namespace}: a logical move copies from the running v4 cluster (the physical methods, --target pgo, start from what v4 left)`,
        );
    }
}

/** A finished step's Job that failed stops the plan: its log says why, and a new run starts after the user deletes it. */
function checkJob(s: { namespace: string }, job: Job | undefined): void {
    if (job && jobFailed(job)) {
        const name = job.metadata.name;
        throw new PreconditionFailed(
            `Job ${name} failed: read its log (kubectl logs job/${name} -n ${s.namespace}), fix the cause, then delete the Job (kubectl delete job ${name} -n ${s.namespace}) and run this step again`,
        );
    }
}

/**
 * apply, logical: create the fresh cluster with v4's passwords, wait until it runs, then the copy (dump) or the
 * replication (replicate) in a Job, and wait for it. The other copy's Job stops it: one cluster is filled one way.
 */
export function planLogicalApply(s: LogicalState, o: { copy: CopyMode; keepPasswords: boolean }): LogicalAction[] {
    checkV4(s);
    checkOwnCluster(s);
    const name = s.manifest.metadata.name;
    const step = STEP_OF[o.copy];
    const other = s.jobs[step === 'copy' ? 'replicate' : 'copy'];
    if (other) {
        throw new PreconditionFailed(
            `Job ${other.metadata.name} shows ${s.flavor.kind} ${name} is being filled by --copy ${o.copy === 'dump' ? 'replicate' : 'dump'}: go on with that ("kubectl ivyo-upgrade apply ${s.v4Cluster} -n ${s.namespace} --copy ${o.copy === 'dump' ? 'replicate' : 'dump'}"), or start over with a fresh cluster`,
        );
    }
    if (o.copy === 'replicate' && s.preflight) {
        const cannot = logicalFindings(s.preflight.facts).replicate;
        if (cannot.length > 0) {
            const cmd = (verb: string) => `kubectl ivyo-upgrade ${verb} ${s.v4Cluster} -n ${s.namespace}`;
            throw new PreconditionFailed(
                `--copy replicate cannot work here:\n${cannot.map((f) => `  ${f.code}: ${f.message}`).join('\n')}\n` +
                    `Once it is fixed on v4, read v4 again ("${cmd('prepare')} --method logical") and run this again; or copy by dump instead ("${cmd('apply')} --copy dump").\n`,
            );
        }
    }
    const job = s.jobs[step];
    checkJob(s, job);
    const actions: LogicalAction[] = [];
    if (!s.cluster) {
        if (o.keepPasswords) actions.push(...passwordCopies(s));
        actions.push(...tlsToBuild(s));
        actions.push({ kind: 'apply-cluster' });
    }
    if (job && jobSucceeded(job)) return actions;
    const c = s.cluster;
    const ready =
        Boolean(c?.status?.patroni?.systemIdentifier) &&
        (c?.status?.instances ?? []).length > 0 &&
        (c?.status?.instances ?? []).every((i) => (i.readyReplicas ?? 0) >= (i.replicas ?? 1));
    if (!ready) actions.push({ kind: 'wait-instances' });
    const secret = v5UserSecret(name, s.flavor.superuser);
    if (!s.secrets.has(secret)) actions.push({ kind: 'wait-superuser-secret', secret });
    if (!s.image) actions.push({ kind: 'wait-image' });
    const jobName = logicalJobName(name, step);
    if (!job) actions.push({ kind: 'create-job', step, job: jobName });
    actions.push({ kind: 'wait-job', step, job: jobName });
    return actions;
}

/**
 * The cut-over: one Job that stops v4's application logins, waits until v5 has replayed everything, sets the
 * sequences, drops the subscriptions, publications and slots, and compares row counts. With undo, the Job
 * that gives v4 its logins back. Needs the replication apply set up.
 */
export function planCutover(s: LogicalState, o: { undo: boolean }): LogicalAction[] {
    checkV4(s);
    const name = s.manifest.metadata.name;
    if (!o.undo && (!s.cluster || !s.jobs.replicate || !jobSucceeded(s.jobs.replicate))) {
        throw new PreconditionFailed(
            `${s.flavor.kind} ${name} has no finished replication in namespace ${s.namespace}: run "kubectl ivyo-upgrade apply ${s.v4Cluster} -n ${s.namespace} --method logical --copy replicate --name ${name} --target ${s.flavor.name}" first`,
        );
    }
    const step = o.undo ? 'undo' : 'cutover';
    const job = s.jobs[step];
    checkJob(s, job);
    if (job && jobSucceeded(job)) return [];
    const actions: LogicalAction[] = [];
    if (!s.image) actions.push({ kind: 'wait-image' });
    const jobName = logicalJobName(name, step);
    if (!job) actions.push({ kind: 'create-job', step, job: jobName });
    actions.push({ kind: 'wait-job', step, job: jobName });
    return actions;
}

const STEP_TEXT: Record<LogicalStep, string> = {
    preflight: 'read what decides the move on v4, through SQL (changes nothing)',
    copy: 'copy the roles (password hashes kept) and every database from v4 with pg_dump and pg_restore',
    replicate: 'copy the roles and each database schema, publish every table on v4 and subscribe on v5, until every table is synchronised',
    cutover:
        "stop v4's application logins, wait until v5 has replayed everything, set the sequences, drop the subscriptions, publications and replication slots, compare row counts",
    undo: "give v4's application logins back (the cut-over's stop of writes, undone)",
};

export function describeLogicalAction(a: LogicalAction, s: Pick<LogicalState, 'manifest' | 'flavor' | 'image'>): string {
    const name = s.manifest.metadata.name;
    switch (a.kind) {
        case 'copy-password':
        case 'build-tls':
        case 'apply-cluster':
            return describeApplyAction(a, s);
        case 'wait-instances':
            return `wait for the instances of ${s.flavor.kind} ${name} to be ready`;
        case 'wait-superuser-secret':
            return `wait for the operator to make Secret ${a.secret} (its superuser ${s.flavor.superuser}, which the copy restores as)`;
        case 'wait-image':
            return `wait for the operator to run ${name}'s database container (its image runs the copy)`;
        case 'create-job':
            return `create Job ${a.job} in ${s.image ?? "the cluster's image"} to ${STEP_TEXT[a.step]}; credentials come from Secret references only`;
        case 'wait-job':
            return `wait for Job ${a.job}`;
    }
}

/** One step of `prepare --method logical`: read v4 through SQL in a Job, and record the answer. Nothing of v4 changes. */
export type PreflightAction =
    | { kind: 'delete-preflight-job'; job: string }
    | { kind: 'create-preflight-job'; job: string }
    | { kind: 'wait-preflight-job'; job: string }
    | { kind: 'record-preflight'; configMap: string };

/** What stops the preflight: v4 must run and be a primary cluster; the rest (names, the target) generate and apply judge. */
const PREFLIGHT_GATE = new Set(['v4-not-initialized', 'v4-standby']);

/**
 * This prepare: when it started (`since`), and the uids of the Jobs it created or watched run. Every prepare
 * reads v4 afresh (v4 changes while it runs): a finished Job that is not this prepare's is an earlier one's,
 * and is removed and run again; the answer of this prepare's own Job is recorded.
 */
export interface PreflightRun {
    since: string;
    ours: ReadonlySet<string>;
}

export function planPreflight(s: PreflightState, run: PreflightRun): PreflightAction[] {
    const i = s.inspection;
    if (!i) {
        throw new PreconditionFailed(`pgcluster ${s.v4Cluster} not found in namespace ${s.namespace}: a logical move reads from the running v4 cluster`);
    }
    const gate = i.methods.logical.blockers.filter((b) => PREFLIGHT_GATE.has(b.code));
    if (gate.length > 0) throw new PreconditionFailed(`prepare ${s.v4Cluster} --method logical refused:\n${gate.map((b) => `  ${b.code}: ${b.message}`).join('\n')}\n`);
    const job = logicalJobName(s.v4Cluster, 'preflight');
    checkJob(s, s.job ?? undefined);
    const record: PreflightAction = { kind: 'record-preflight', configMap: preflightName(s.v4Cluster) };
    const fresh = [{ kind: 'create-preflight-job' as const, job }, { kind: 'wait-preflight-job' as const, job }, record];
    if (!s.job) return fresh;
    if (!jobSucceeded(s.job)) return fresh.slice(1);
    if (s.recorded && s.recorded.readAt >= run.since) return [];
    if (!run.ours.has(s.job.metadata.uid ?? '')) return [{ kind: 'delete-preflight-job', job }, ...fresh];
    if (!s.answer) {
        throw new PreconditionFailed(
            `Job ${job} finished, but its answer is not in its pod's termination message (cut at 4 KiB, or the pod is gone): "kubectl logs job/${job} -n ${s.namespace}" shows it; delete the Job (kubectl delete job ${job} -n ${s.namespace}) and run prepare again`,
        );
    }
    return [record];
}

export function describePreflightAction(a: PreflightAction, s: PreflightState): string {
    switch (a.kind) {
        case 'delete-preflight-job':
            return `delete the finished Job ${a.job} of an earlier prepare (its pod with it), to read v4 afresh`;
        case 'create-preflight-job':
            return `create Job ${a.job} in v4's image (${s.inspection?.cluster.image ?? 'unknown'}) to ${STEP_TEXT.preflight}; credentials come from Secret references only`;
        case 'wait-preflight-job':
            return `wait for Job ${a.job}`;
        case 'record-preflight':
            return `record its answer in ConfigMap ${a.configMap} (no secret in it), where inspect, generate and apply read it`;
    }
}
