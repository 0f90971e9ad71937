import { jobFailed, jobSucceeded } from '../kube/jobs.js';
import type { Inspection, VolumeReport } from '../v4/inspection.js';
import { V4 } from '../v4/names.js';
import { beyondRmdata } from '../v4/verdicts.js';
import type { PrepareState } from '../v4/prepare-state.js';
import { recordName } from '../v4/record.js';
import { PreconditionFailed } from './execute.js';

export interface PrepareOptions {
    /** standby: v4 keeps running; prepare checks and records it (with its configuration), and changes nothing of v4. */
    method: 'volumes' | 'backups' | 'standby';
    /** backups: `--delete-data` lets v4 delete the data PVCs with the cluster (the guide's way); kept by default. */
    deleteData: boolean;
    /** backups: pgBackRest backup type, `--backup-type`. */
    backupType: 'full' | 'diff' | 'incr';
    /** `--delete-replica-data`: let v4 delete the replicas' PVCs (the pgo CLI's default). Off by default. */
    deleteReplicaData: boolean;
    /** `--keep-v4-labels`: leave `pg-cluster` and `vendor` on the reused PVCs. */
    keepV4Labels: boolean;
}

/** One step of `prepare --method volumes`. `wait-*` steps write nothing: they wait for the v4 operator. */
export type PrepareAction =
    | { kind: 'retain-pv'; pv: string; pvc: string; from: string }
    | { kind: 'record' }
    | { kind: 'record-capture' }
    | { kind: 'scale-down'; deployment: string; deleteData: boolean }
    | { kind: 'wait-scale-down'; deployment: string }
    | { kind: 'wait-rmdata'; jobs: string[] }
    | { kind: 'backup'; type: string; repoPod: string; replace: boolean }
    | { kind: 'wait-backup' }
    | { kind: 'annotate-keep'; keepData: boolean; showBackups: boolean }
    | { kind: 'delete-pgcluster' }
    | { kind: 'wait-v4-cleanup'; remaining: string[] }
    | { kind: 'remove-v4-labels'; pvc: string; labels: string[] };

export const isWait = (a: PrepareAction) => a.kind.startsWith('wait-');

/**
 * What is left to do, from the live state: pure, so it is re-run after every step (an interrupted prepare
 * continues where it stopped) and unit-tested without a cluster. Sources: docs/upstream-facts.md "v4 delete", "v4 scale-down", "v4 backup".
 */
export function planPrepare(s: PrepareState, o: PrepareOptions): PrepareAction[] {
    const facts = s.record ?? s.live;
    if (!facts) {
        throw new PreconditionFailed(
            `pgcluster "${s.cluster}" not found in namespace "${s.namespace}", and no record of it (ConfigMap ${recordName(s.cluster)}): nothing to prepare`,
        );
    }
    const failed = s.rmdataJobs.filter(jobFailed);
    if (failed.length > 0) {
        throw new PreconditionFailed(
            `the v4 rmdata Job ${failed.map((j) => j.metadata.name).join(', ')} failed: read its pod's log ("kubectl logs job/${failed[0]?.metadata.name} -n ${s.namespace}"), fix the cause, delete the Job, then run prepare again`,
        );
    }
    if (o.method === 'standby') return standbySteps(s);
    const reused = o.method === 'volumes' ? reusedVolumes(facts) : reusedVolumes(facts).filter((v) => v.role === 'repo');
    const actions: PrepareAction[] = [];

    for (const v of reused) {
        const pvc = s.pvcs.get(v.pvc);
        const pvName = pvc?.spec?.volumeName;
        const pv = pvName ? s.pvs.get(pvName) : undefined;
        const policy = pv?.spec?.persistentVolumeReclaimPolicy;
        if (pv && policy !== 'Retain') actions.push({ kind: 'retain-pv', pv: pv.metadata.name, pvc: v.pvc, from: policy ?? 'unset' });
    }

    if (s.pgcluster && s.live) {
        const notes = s.pgcluster.metadata.annotations ?? {};
        const keep = (o.method === 'volumes' || !o.deleteData ? ['keep-data', 'keep-backups'] : ['keep-backups']).every((k) => k in notes);
        // v4's onDelete returns at once for a cluster in a v4 operator upgrade: the delete would do nothing (docs/upstream-facts.md "v4 delete").
        if ('upgrade-in-progress' in (s.pgcluster.metadata.annotations ?? {})) {
            throw new PreconditionFailed(
                `pgcluster ${s.cluster} is annotated upgrade-in-progress: the v4 operator would ignore its deletion; finish the v4 operator upgrade first`,
            );
        }
        checkGate(s, s.live, o.method);
        if (o.method === 'volumes') checkPrimary(s, s.live);
        if (!s.record) actions.push({ kind: 'record' });
        // A record made before captures gets one while v4 still has its configuration; a capture is never replaced.
        else if (!s.recordedCapture && s.liveCapture) actions.push({ kind: 'record-capture' });
        if (o.method === 'backups' && !keep) actions.push(...backupSteps(s, o));
        const busy = s.rmdataJobs.filter((j) => !jobSucceeded(j)).map((j) => j.metadata.name);
        for (const r of o.method === 'volumes' ? s.live.replicas : []) {
            // One v4 cannot remove (no Pgreplica, not named after the cluster) is passed over once scaled to zero.
            if (!r.deployment || (r.podsWanted === 0 && !r.pgreplica && r.deployment !== s.cluster)) continue;
            actions.push(
                removing(s, r.deployment)
                    ? { kind: 'wait-scale-down', deployment: r.deployment }
                    : { kind: 'scale-down', deployment: r.deployment, deleteData: o.deleteReplicaData },
            );
        }
        // v4 ignores a pgcluster delete while an rmdata Job is unfinished (docs/upstream-facts.md "v4 delete").
        if (busy.length > 0) actions.push({ kind: 'wait-rmdata', jobs: busy });
        if (!keep) actions.push({ kind: 'annotate-keep', keepData: o.method === 'volumes' || !o.deleteData, showBackups: o.method === 'backups' });
        actions.push({ kind: 'delete-pgcluster' });
    } else {
        const remaining = [
            ...s.deployments.map((d) => `deployment ${d.metadata.name}`),
            ...s.rmdataJobs.filter((j) => !jobSucceeded(j)).map((j) => `job ${j.metadata.name}`),
            ...mountedBy(s, reused).map(({ pvc, pod }) => `pod ${pod} (mounts PVC ${pvc})`),
        ];
        if (remaining.length > 0) actions.push({ kind: 'wait-v4-cleanup', remaining });
        // A PVC being deleted (Terminating) is as good as gone: its PV is released once no pod uses it.
        const missing = reused.filter((v) => !s.pvcs.get(v.pvc) || s.pvcs.get(v.pvc)?.metadata.deletionTimestamp);
        if (missing.length > 0) {
            throw new PreconditionFailed(
                `PVC ${missing.map((v) => v.pvc).join(', ')} is gone or being deleted in namespace ${s.namespace}: stop here and recover the data from its PV (reclaim policy Retain) before going on`,
            );
        }
    }

    if (!o.keepV4Labels) {
        for (const v of reused) {
            const labels = V4.pvcLabels.filter((l) => s.pvcs.get(v.pvc)?.metadata.labels?.[l] !== undefined);
            if (labels.length > 0) actions.push({ kind: 'remove-v4-labels', pvc: v.pvc, labels });
        }
    }
    return actions;
}

/**
 * `prepare --method standby`: the standby follows v4 while it runs, so nothing of v4 changes; the gate, then the
 * record (inspection and configuration, so generate and the later steps read them as for the other methods).
 */
function standbySteps(s: PrepareState): PrepareAction[] {
    if (!s.pgcluster || !s.live) {
        throw new PreconditionFailed(
            `pgcluster ${s.cluster} is not running in namespace ${s.namespace}: a standby follows the running v4 cluster; with v4 gone, restore from its repository instead (kubectl ivyo-upgrade prepare ${s.cluster} -n ${s.namespace} --method backups --target pgo)`,
        );
    }
    checkGate(s, s.live, 'standby');
    if (!s.record) return [{ kind: 'record' }];
    return !s.recordedCapture && s.liveCapture ? [{ kind: 'record-capture' }] : [];
}

export const BACKUP_MARK = 'ivyo-upgrade.ivorysql.org/prepare';
export const backupTaskName = (cluster: string) => `backrest-backup-${cluster}`;

/**
 * `pgo backup` at the API level (docs/upstream-facts.md "v4 backup"): one backup taken by this prepare (its pgtask carries our mark),
 * finished (Job succeeded, pgtask "job completed") before the pgcluster is annotated and deleted.
 */
function backupSteps(s: PrepareState, o: PrepareOptions): PrepareAction[] {
    const task = s.pgtasks.find((t) => t.metadata.name === backupTaskName(s.cluster));
    const ours = task?.metadata.annotations?.[BACKUP_MARK] === 'backups' ? task : undefined;
    const job = s.backupJobs.find((j) => j.metadata.name === backupTaskName(s.cluster));
    if (ours && job && jobFailed(job)) {
        throw new PreconditionFailed(
            `the v4 backup Job ${job.metadata.name} failed: nothing was deleted. Read its log ("kubectl logs job/${job.metadata.name} -n ${s.namespace}"), fix the cause, delete pgtask ${ours.metadata.name}, then run prepare again`,
        );
    }
    if (ours?.spec?.status === 'job completed' && job && jobSucceeded(job)) return [];
    if (ours) return [{ kind: 'wait-backup' }];
    const repoPod = s.pods.find((p) => p.metadata.labels?.[V4.label.backrestRepo] === 'true' && p.metadata.labels?.[V4.label.cluster] === s.cluster);
    if (!repoPod) {
        throw new PreconditionFailed(
            `no pgBackRest repo pod of ${s.cluster} (labels pg-cluster=${s.cluster},pgo-backrest-repo=true) in namespace ${s.namespace}: v4 cannot take a backup without it`,
        );
    }
    return [{ kind: 'backup', type: o.backupType, repoPod: repoPod.metadata.name, replace: task !== undefined }, { kind: 'wait-backup' }];
}

/**
 * The PVCs the v5 cluster takes over: the primary's data and WAL, and the repo PVC when v4 writes its backups
 * there (an S3- or GCS-only cluster's repo PVC holds none, and v5 keeps the cloud repository instead).
 */
export function reusedVolumes(i: Inspection): VolumeReport[] {
    const posix = i.repository.types.includes('posix');
    return i.volumes.filter((v) => (v.role === 'data' || v.role === 'wal' || (v.role === 'repo' && posix)) && v.exists);
}

/** Blockers that only a flag of generate settles (the image for the data's major): prepare names the flag. */
export const SETTLED_BY_GENERATE = new Set(['postgres-major-no-default-image']);

/**
 * The one gate: the verdict inspect shows for this method and target. prepare deletes v4 only for a (method,
 * target) that generate will take, so nobody is left with neither v4 nor a manifest.
 */
function checkGate(s: PrepareState, live: Inspection, method: PrepareOptions['method']): void {
    // A standby takes a name of its own beside v4 (generate --name checks that one): v4's name colliding is no gate.
    // rmdata deletes a replica's Pgreplica before its Deployment (cmd/pgo-rmdata/process.go, CrunchyData/postgres-operator
    // v4.7.9): in between, a replica prepare asked v4 to remove looks like one v4 cannot remove.
    const asked = (code: string) => code === 'replica-cannot-scale-down' && live.replicas.every((r) => !beyondRmdata(r, s.cluster) || removing(s, r.deployment));
    const blockers = live.methods[method].blockers.filter((b) => !SETTLED_BY_GENERATE.has(b.code) && !(method === 'standby' && b.code === 'name-collision') && !asked(b.code));
    if (blockers.length === 0) return;
    throw new PreconditionFailed(
        `prepare ${s.cluster} --method ${method} for ${live.target.kind} refused before any change:\n${blockers.map((b) => `  ${b.code}: ${b.message}`).join('\n')}`,
    );
}

/** Whether prepare has asked v4 to remove that replica (its rmdata pgtask exists). */
function removing(s: PrepareState, deployment: string | null): boolean {
    return s.pgtasks.some((t) => t.metadata.name === `${deployment}-rmdata`);
}

/** What the user should know before saying yes: the flags generate will need after v4 is gone. */
export function prepareNotes(s: PrepareState, method: PrepareOptions['method']): string[] {
    const facts = s.live ?? s.record;
    if (!facts) return [];
    const when = method === 'standby' ? '' : ' once v4 is gone';
    return facts.methods[method].blockers.filter((b) => SETTLED_BY_GENERATE.has(b.code)).map((b) => `generate will need flags${when}: ${b.message}`);
}

function checkPrimary(s: PrepareState, live: Inspection): void {
    const p = live.primary;
    if (!p.deployment || p.podCheck === 'disagrees') {
        throw new PreconditionFailed(
            `cannot tell the primary of ${s.cluster} for sure (current-primary ${p.deployment ?? 'unset'}, role=master pod ${p.pod ?? 'none'}): wait for any failover to settle, then run prepare again`,
        );
    }
    const recorded = s.record?.primary.deployment;
    if (recorded && recorded !== p.deployment) {
        throw new PreconditionFailed(
            `the primary of ${s.cluster} changed from ${recorded} to ${p.deployment} during prepare (a failover): its data is now on another PVC. Inspect the cluster; if the new primary is right, delete ConfigMap ${recordName(s.cluster)} and run prepare again`,
        );
    }
    for (const r of live.replicas) {
        if (r.deployment && r.deployment === p.deployment) {
            throw new PreconditionFailed(`refusing to scale down ${r.deployment}: it is the primary`);
        }
    }
}

function mountedBy(s: PrepareState, volumes: VolumeReport[]): { pvc: string; pod: string }[] {
    const names = new Set(volumes.map((v) => v.pvc));
    return s.pods.flatMap((pod) =>
        (pod.spec?.volumes ?? []).flatMap((v) => {
            const claim = v.persistentVolumeClaim?.claimName;
            return claim !== undefined && names.has(claim) ? [{ pvc: claim, pod: pod.metadata.name }] : [];
        }),
    );
}

/** One line a person reads in the plan and in progress messages. */
export function describeAction(a: PrepareAction, s: Pick<PrepareState, 'cluster' | 'namespace'>): string {
    switch (a.kind) {
        case 'retain-pv':
            return `set reclaim policy Retain on PV ${a.pv} (PVC ${a.pvc}; now ${a.from}), so the data outlives its claim`;
        case 'record':
            return `record the v4 cluster and its configuration (Patroni, pgBouncer, pgBackRest, schedules: v4's delete removes them) in ConfigMap ${recordName(s.cluster)} (generate reads it once v4 is gone; no secrets)`;
        case 'record-capture':
            return `add v4's configuration (Patroni, pgBouncer, pgBackRest, schedules: v4's delete removes them) to ConfigMap ${recordName(s.cluster)}, which holds none yet (no secrets)`;
        case 'scale-down':
            return `scale down replica ${a.deployment} the v4 way (pgtask ${a.deployment}-rmdata), ${a.deleteData ? 'DELETING its PVCs' : 'keeping its PVCs'}`;
        case 'wait-scale-down':
            return `wait for the v4 operator to remove replica ${a.deployment}`;
        case 'wait-rmdata':
            return `wait for the v4 rmdata Job ${a.jobs.join(', ')} to finish (v4 ignores a delete until then)`;
        case 'backup':
            return `take a ${a.type} backup the v4 way (pgtask backrest-backup-${s.cluster} on repo pod ${a.repoPod}${a.replace ? ', replacing the earlier pgtask' : ''})`;
        case 'wait-backup':
            return `wait for the v4 backup Job backrest-backup-${s.cluster} to succeed`;
        case 'annotate-keep':
            return a.keepData
                ? `${a.showBackups ? 'show the backup set, then ' : ''}annotate pgcluster ${s.cluster} keep-data and keep-backups, so v4 keeps every PVC when it is deleted`
                : `${a.showBackups ? 'show the backup set, then ' : ''}annotate pgcluster ${s.cluster} keep-backups only: v4 will DELETE the data PVCs (--delete-data) and keep the repository`;
        case 'delete-pgcluster':
            return `delete pgcluster ${s.cluster}; the v4 operator removes its deployments, services and ConfigMaps and keeps the PVCs`;
        case 'wait-v4-cleanup':
            return `wait for the v4 operator to finish cleaning up: ${a.remaining.join(', ')}`;
        case 'remove-v4-labels':
            return `remove labels ${a.labels.join(', ')} from PVC ${a.pvc}, so no later v4 delete selects it`;
    }
}
