import { V4 } from '../v4/names.js';
import { v5UserSecret } from '../v5/logical-job.js';
import type { ApplyState } from '../v5/apply-state.js';
import { moveJobNames, type DataSourceVolumes } from '../v5/cluster.js';
import { SOURCE_ANNOTATION } from '../v5/manifest.js';
import { jobSucceeded } from '../kube/jobs.js';
import { credentialsSecretName } from '../v5/repository.js';
import { tlsBuilds } from '../v5/carry-tls.js';
import { PreconditionFailed } from './execute.js';

export interface ApplyOptions {
    /** `--no-keep-passwords` turns it off: copy each v4 user's password into the Secret v5 reads. */
    keepPasswords: boolean;
    /** `--wait` (default): follow the operator until the cluster runs, then drop spec.dataSource.volumes. */
    wait: boolean;
    /** `--dry-run=client`: show the plan even while v4 still runs (prepare comes first; a note says so). */
    preview: boolean;
}

export type ApplyAction =
    | { kind: 'copy-password'; user: string; from: string; to: string }
    | { kind: 'copy-repo-credentials'; repo: 's3' | 'gcs'; from: string; to: string }
    | { kind: 'build-tls'; keyPair: string; ca: string; to: string }
    | { kind: 'apply-cluster' }
    | { kind: 'wait-move-jobs'; jobs: string[] }
    | { kind: 'wait-adoption'; pvcs: string[] }
    | { kind: 'wait-bootstrap' }
    | { kind: 'wait-restore' }
    | { kind: 'wait-instances' }
    | { kind: 'wait-repo-host' }
    | { kind: 'remove-volumes-source' };

export const isApplyWait = (a: ApplyAction) => a.kind.startsWith('wait-');

/**
 * What is left of `apply`, from the live state (docs/upstream-facts.md "v5 volumes"). A bootstrapped cluster
 * is never applied again: re-adding spec.dataSource.volumes would re-run the move Jobs against volumes in use.
 */
export function planApply(s: ApplyState, o: ApplyOptions): ApplyAction[] {
    const name = s.manifest.metadata.name;
    const restore = (s.cluster ?? s.manifest).spec?.dataSource?.[s.flavor.dataSourceKey];
    // A standby runs beside v4 and follows it (method 3); every other method takes v4's place.
    const standby = (s.cluster ?? s.manifest).spec?.standby?.enabled === true;
    if (s.v4Present && !o.preview && !standby) {
        throw new PreconditionFailed(`pgcluster ${s.v4Cluster} still exists in namespace ${s.namespace}: ${prepareFirst(s)}`);
    }
    const live = s.cluster;
    checkOwnCluster(s);
    const bootstrapped = Boolean(live?.status?.patroni?.systemIdentifier);
    const volumes: DataSourceVolumes = (live ?? s.manifest).spec?.dataSource?.volumes ?? {};
    const actions: ApplyAction[] = [];

    if (!bootstrapped) {
        if (o.keepPasswords && !live) actions.push(...passwordCopies(s));
        const credentials = credentialsToCopy(s);
        if (credentials && !live) actions.push(credentials);
        if (!live) actions.push(...tlsToBuild(s));
        if (!live) actions.push({ kind: 'apply-cluster' });
        const failedRestore = live?.status?.conditions?.find((c) => c.type === s.flavor.dataInitializedCondition && c.status === 'False' && c.reason === 'PGBackRestRestoreFailed');
        if (failedRestore) {
            throw new PreconditionFailed(
                `the restore from the v4 repository failed (${s.flavor.dataInitializedCondition}: ${failedRestore.message ?? failedRestore.reason}): read the restore Job's log ("kubectl logs job/${name}-pgbackrest-restore -n ${s.namespace}"), fix the cause, then delete the ${s.flavor.kind} and apply again (release its PVCs first: kubectl ivyo-upgrade release-pvc --all --cluster ${name} -n ${s.namespace})`,
            );
        }
        const failed = [...s.failedJobLogs];
        if (failed.length > 0) {
            throw new PreconditionFailed(
                failed.map(([job, log]) => `move Job ${job} failed; last lines of its log:\n${log.trimEnd()}\n`).join('') +
                    `Fix the cause (the volume's directory, permissions, the image), then delete the Job ("kubectl delete job ${failed[0]?.[0]} -n ${s.namespace}") so the operator runs it again, and run apply again`,
            );
        }
        const pending = moveJobNames(name, volumes).filter((j) => !s.moveJobs.some((x) => x.metadata.name === j && jobSucceeded(x)));
        if (pending.length > 0) actions.push({ kind: 'wait-move-jobs', jobs: pending });
        const unadopted = Object.values(volumes)
            .map((v) => v.pvcName)
            .filter((pvc) => !adopted(s, pvc));
        if (unadopted.length > 0) actions.push({ kind: 'wait-adoption', pvcs: unadopted });
        actions.push({ kind: 'wait-bootstrap' });
    }
    if (restore && !live?.status?.conditions?.some((c) => c.type === s.flavor.dataInitializedCondition && c.status === 'True')) actions.push({ kind: 'wait-restore' });
    const instances = live?.status?.instances ?? [];
    if (!bootstrapped || instances.length === 0 || instances.some((i) => (i.readyReplicas ?? 0) < (i.replicas ?? 1))) actions.push({ kind: 'wait-instances' });
    if (volumes.pgBackRestVolume && !live?.status?.pgbackrest?.repoHost?.ready) actions.push({ kind: 'wait-repo-host' });
    if (Object.keys(volumes).length > 0) actions.push({ kind: 'remove-volumes-source' });
    return o.wait ? actions : actions.filter((a) => !isApplyWait(a) && (a.kind !== 'remove-volumes-source' || bootstrapped));
}

/** Each v5 user with a v4 Secret and no v5 Secret yet: its v4 password goes into the Secret v5 reads. */
export function passwordCopies(s: Pick<ApplyState, 'manifest' | 'v4Cluster' | 'secrets'>): Extract<ApplyAction, { kind: 'copy-password' }>[] {
    const out: Extract<ApplyAction, { kind: 'copy-password' }>[] = [];
    for (const { name: user } of s.manifest.spec?.users ?? []) {
        const from = V4.userSecret(s.v4Cluster, user);
        const to = v5UserSecret(s.manifest.metadata.name, user);
        if (s.secrets.has(from) && !s.secrets.has(to)) out.push({ kind: 'copy-password', user, from, to });
    }
    return out;
}

/** apply never takes over a cluster it did not create from this v4 cluster (the source annotation says which). */
export function checkOwnCluster(s: Pick<ApplyState, 'cluster' | 'manifest' | 'v4Cluster' | 'flavor' | 'namespace'>): void {
    const source = s.cluster?.metadata.annotations?.[SOURCE_ANNOTATION];
    if (s.cluster && source !== s.v4Cluster) {
        throw new PreconditionFailed(
            `${s.flavor.kind} ${s.manifest.metadata.name} already exists in namespace ${s.namespace} and was not made by this tool from v4 cluster ${s.v4Cluster} (annotation ${SOURCE_ANNOTATION}: ${source ?? 'none'}): apply never takes over a cluster it did not create; choose another name (generate --name) or remove that cluster yourself`,
        );
    }
}

function prepareFirst(s: ApplyState): string {
    const restore = s.manifest.spec?.dataSource?.[s.flavor.dataSourceKey];
    return `run "kubectl ivyo-upgrade prepare ${s.v4Cluster} -n ${s.namespace} --method ${restore ? 'backups' : 'volumes'} --target ${s.flavor.name}" first`;
}

/** Shown before apply's plan: a preview while v4 still runs is what apply will do once prepare is done. */
export function applyNotes(s: ApplyState): string[] {
    return s.v4Present && s.manifest.spec?.standby?.enabled !== true ? [`pgcluster ${s.v4Cluster} still exists, so this is only a preview: ${prepareFirst(s)}`] : [];
}

/**
 * A cloud repository's credentials: the manifest names the Secret generate called `<name>-v4-repo-credentials`;
 * apply makes it from v4's `<v4>-backrest-repo-config`, in the cluster.
 */
function credentialsToCopy(s: ApplyState): ApplyAction | null {
    const wanted = credentialsSecretName(s.manifest.metadata.name);
    const named = s.manifest.spec?.backups?.pgbackrest?.configuration?.some((c) => c.secret?.name === wanted);
    if (!named || s.secrets.has(wanted)) return null;
    const repo = s.manifest.spec?.backups?.pgbackrest?.repos?.[0];
    const kind = repo?.s3 ? 's3' : repo?.gcs ? 'gcs' : null;
    if (!kind) return null;
    const from = `${s.v4Cluster}-backrest-repo-config`;
    if (!s.secrets.has(from)) {
        throw new PreconditionFailed(
            `the manifest names Secret ${wanted}, made from the v4 Secret ${from}, which does not exist in namespace ${s.namespace}: create ${wanted} yourself (generate --include-secrets shows its form)`,
        );
    }
    return { kind: 'copy-repo-credentials', repo: kind, from, to: wanted };
}

/**
 * The custom certificates the manifest names and generate asked apply to build from v4's key pair and CA; and the
 * replication client certificate v5 takes with them, which the user made and must exist first.
 */
export function tlsToBuild(s: Pick<ApplyState, 'manifest' | 'secrets' | 'namespace' | 'flavor'>): Extract<ApplyAction, { kind: 'build-tls' }>[] {
    const replication = s.manifest.spec?.customReplicationTLSSecret?.name;
    if (replication && !s.secrets.has(replication)) {
        throw new PreconditionFailed(
            `the manifest names Secret ${replication} (spec.customReplicationTLSSecret), which does not exist in namespace ${s.namespace}: create it with tls.crt, tls.key and ca.crt of a client certificate for ${s.flavor.replicationUser} signed by v4's CA, then run apply again`,
        );
    }
    const builds = tlsBuilds(s.manifest).filter((b) => !s.secrets.has(b.to));
    for (const b of builds) {
        const missing = [b.keyPair, b.ca].filter((n) => !s.secrets.has(n));
        if (missing.length > 0) {
            throw new PreconditionFailed(
                `Secret ${b.to} is to be built from v4's Secrets ${b.keyPair} and ${b.ca}, and ${missing.join(' and ')} does not exist in namespace ${s.namespace}: restore it, or create ${b.to} yourself (tls.crt, tls.key, ca.crt)`,
            );
        }
    }
    return builds.map((b) => ({ kind: 'build-tls', ...b }));
}

/** The v5 operator has taken the PVC over: its cluster label and a controller reference to this cluster. */
export function adopted(s: ApplyState, pvc: string): boolean {
    const p = s.pvcs.get(pvc);
    const uid = s.cluster?.metadata.uid;
    return Boolean(
        p && uid && p.metadata.labels?.[`${s.flavor.labelPrefix}cluster`] === s.manifest.metadata.name && p.metadata.ownerReferences?.some((r) => r.controller && r.uid === uid),
    );
}

export function describeApplyAction(a: ApplyAction, s: Pick<ApplyState, 'manifest' | 'flavor'>): string {
    const name = s.manifest.metadata.name;
    const kind = s.flavor.kind;
    switch (a.kind) {
        case 'copy-password':
            return `copy the v4 password of user ${a.user} from Secret ${a.from} into Secret ${a.to}, in the cluster (the value is never printed)`;
        case 'copy-repo-credentials':
            return `convert the v4 ${a.repo === 's3' ? 'S3' : 'GCS'} credentials of Secret ${a.from} into Secret ${a.to}, in the cluster (never printed)`;
        case 'build-tls':
            return `build Secret ${a.to} from v4's key pair ${a.keyPair} and CA ${a.ca} (tls.crt, tls.key, ca.crt), in the cluster (never printed)`;
        case 'apply-cluster':
            return `create ${kind} ${name} (server-side apply, field manager kubectl-ivyo-upgrade)`;
        case 'wait-move-jobs':
            return `wait for the operator's move Job ${a.jobs.join(', ')}`;
        case 'wait-adoption':
            return `wait for the operator to adopt PVC ${a.pvcs.join(', ')}`;
        case 'wait-restore':
            return `wait for the restore from the v4 repository (condition ${s.flavor.dataInitializedCondition})`;
        case 'wait-bootstrap':
            return s.manifest.spec?.standby?.enabled === true
                ? `wait for ${kind} ${name} to bootstrap as a standby from v4's repository (status.patroni.systemIdentifier)`
                : `wait for ${kind} ${name} to bootstrap from the v4 data (status.patroni.systemIdentifier)`;
        case 'wait-instances':
            return `wait for the instances of ${kind} ${name} to be ready`;
        case 'wait-repo-host':
            return `wait for the pgBackRest repo host of ${kind} ${name} to be ready`;
        case 'remove-volumes-source':
            return `remove spec.dataSource.volumes from ${kind} ${name} (JSON patch with a test op), as the guide's last step`;
    }
}
