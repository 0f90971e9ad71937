import type { Flavor } from '../targets/flavors.js';
import type { Finding, Inspection, MethodName, VolumeReport, VolumeRole } from './inspection.js';
import { PROMOTED_MARK, V4 } from './names.js';
import { logicalFindings } from './preflight.js';

type Facts = Omit<Inspection, 'methods'>;

/**
 * What stands in the way of each upgrade method (blockers) and what needs care (warnings).
 * Blockers are data, not errors: `inspect` reports them and exits 0.
 */
export function judge(facts: Facts, flavor: Flavor, pvsUnreadable: string | null): Record<MethodName, { ready: boolean; blockers: Finding[]; warnings: Finding[] }> {
    const common = commonBlockers(facts, flavor);
    const commonWarnings = [...collationWarning(facts), ...repoTypeWarning(facts)];
    if (pvsUnreadable) {
        commonWarnings.push({ code: 'pv-unreadable', message: `PersistentVolumes could not be read (${pvsUnreadable}): reclaim policies and volume types are unknown` });
    }
    const verdict = (blockers: Finding[], warnings: Finding[]) => {
        const b = [...common, ...blockers];
        return { ready: b.length === 0, blockers: b, warnings: [...warnings, ...commonWarnings] };
    };
    return {
        volumes: verdict(volumesBlockers(facts), [...volumeWarnings(facts, ['data', 'wal', 'repo']), ...repoMissingWarning(facts), ...collisionWarning(facts)]),
        backups: verdict(backupsBlockers(facts), [
            ...(facts.repository.types.includes('posix') ? volumeWarnings(facts, ['repo']) : []),
            ...collisionWarning(facts),
            ...tablespaceWarning(facts),
        ]),
        standby: verdict(standbyBlockers(facts), []),
        logical: logicalVerdict(facts, flavor),
    };
}

/** What stops every method: a v4 cluster not ready to be read, or a target not installed. */
function sourceBlockers(f: Facts, flavor: Flavor): Finding[] {
    const out: Finding[] = [];
    if (f.cluster.state !== V4.initializedState) {
        out.push({
            code: 'v4-not-initialized',
            message: `pgcluster ${f.cluster.name} is in state "${f.cluster.state ?? 'none'}", not "${V4.initializedState}": let the v4 operator finish (or repair the cluster), then inspect again`,
        });
    }
    if (f.cluster.promotedTo) {
        out.push({
            code: 'v4-promoted',
            message: `pgcluster ${f.cluster.name} handed its data to ${f.cluster.promotedTo} (kubectl ivyo-upgrade promote; annotation ${PROMOTED_MARK}): v4 must not run again, and no method takes its data a second time`,
        });
    }
    if (f.cluster.standby) {
        out.push({
            code: 'v4-standby',
            message: `pgcluster ${f.cluster.name} is a v4 standby (spec.standby: true) that follows another cluster's repository: upgrade the v4 primary cluster instead, or promote this one in v4 first (pgo update cluster ${f.cluster.name} --promote-standby)`,
        });
    }
    if (!f.target.installed) {
        out.push({
            code: 'target-crd-missing',
            message: `the server does not serve ${f.target.kind} (${f.target.apiVersion}): install ${flavor.product} first, or choose the other --target`,
        });
    }
    return out;
}

/** What stops the physical methods, which hand v4's data files to the target: blockers of every method, then the target's own. */
function commonBlockers(f: Facts, flavor: Flavor): Finding[] {
    const out = sourceBlockers(f, flavor);
    if (!flavor.runsVanillaData) {
        // Every physical method hands v4's data files to the target, and this target cannot run them.
        out.push({ code: 'target-cannot-run-v4-data', message: cannotRunVanillaData(flavor) });
        return out;
    }
    const major = f.cluster.postgresMajor;
    if (major === null) {
        out.push({ code: 'postgres-major-unknown', message: `cannot tell the PostgreSQL major from image "${f.cluster.image ?? 'none'}"` });
    } else if (major < flavor.postgresVersions.min || major > flavor.postgresVersions.max) {
        out.push({
            code: 'postgres-major-unsupported',
            message: `PostgreSQL ${major} is outside what ${f.target.kind} accepts (${flavor.postgresVersions.min}–${flavor.postgresVersions.max}): upgrade the major on v4 first`,
        });
    } else if (!flavor.defaultImageMajors.includes(major)) {
        out.push({
            code: 'postgres-major-no-default-image',
            message: `the data is PostgreSQL ${major}, and ${flavor.product}'s own images run only ${flavor.defaultImageMajors.join(', ')}: pass --image and --pgbackrest-image for PostgreSQL ${major} to generate`,
        });
    }
    return out;
}

/** Why IVYO cannot take v4's data files, in one line, with the roads that work (docs/which-target.md). */
export function cannotRunVanillaData(flavor: Flavor): string {
    return (
        `${flavor.product} cannot run data made by vanilla PostgreSQL, which all PGO v4 data is: it always preloads liboracle_parser and ivorysql_ora (a vanilla image cannot start), ` +
        `its only local superuser path is the role "ivorysql" (v4 data has "postgres"), it forces pgBackRest to read pg_control as PostgreSQL 18, and IvorySQL cannot open vanilla data files even at the same major; ` +
        `no --image changes that. What works: --target pgo for this method (Crunchy PGO v5 runs the data at its major), or --method logical, the default for this target: a fresh ${flavor.kind} filled by pg_dump and pg_restore or logical replication`
    );
}

function volumesBlockers(f: Facts): Finding[] {
    const out: Finding[] = [];
    const p = f.primary;
    if (!p.deployment) {
        out.push({ code: 'primary-unknown', message: 'no current-primary annotation and no pod labelled role=master: cannot tell which volume holds the primary data' });
    } else if (p.podCheck === 'disagrees') {
        out.push({
            code: 'primary-disagrees',
            message: `the pgcluster's current-primary is ${p.deployment}, but the role=master pod ${p.pod} belongs to another deployment: wait for the failover to settle, then inspect again`,
        });
    }
    if (p.deployment && !p.pvc) {
        out.push({ code: 'primary-pvc-unknown', message: `deployment ${p.deployment} was not found or mounts no "pgdata" PVC` });
    } else if (p.pvc && !volume(f, 'data')?.exists) {
        out.push({ code: 'primary-pvc-missing', message: `PVC ${p.pvc} (primary data) does not exist in namespace ${f.cluster.namespace}` });
    }
    if (p.pvc && !p.dataDirectory) {
        out.push({ code: 'data-directory-unknown', message: `deployment ${p.deployment} sets no ${V4.env.dataDir}: cannot tell the PGDATA directory to move` });
    }
    const data = volume(f, 'data');
    const wal = volume(f, 'wal');
    if (data && wal && wal.exists && !sameClaimSpec(data, wal)) {
        out.push({
            code: 'wal-spec-differs',
            message: `WAL PVC ${wal.pvc} (${claimSummary(wal)}) differs from data PVC ${data.pvc} (${claimSummary(data)}); v5 adopts the WAL PVC with the data volume's spec, so adoption would fail or resize it`,
        });
    }
    for (const t of f.tablespaces) {
        out.push({
            code: 'tablespace',
            message: `tablespace ${t.name} (PVC ${t.pvc}) cannot be moved: spec.dataSource.volumes has no tablespace field; move its objects into the default tablespace on v4 (ALTER TABLE ... SET TABLESPACE pg_default), drop it, then inspect again; or use the backups method`,
        });
    }
    for (const v of f.volumes.filter((x) => (x.role === 'data' || x.role === 'wal' || x.role === 'repo') && x.exists && x.controller)) {
        out.push({ code: 'pvc-controlled', message: controlledMessage(f, v) });
    }
    for (const r of f.replicas) {
        if (beyondRmdata(r, f.cluster.name)) {
            out.push({
                code: 'replica-cannot-scale-down',
                message: `replica ${r.deployment} has no Pgreplica and is not named after the cluster, so v4's rmdata cannot remove it; scale it to zero yourself (its PVCs stay): kubectl scale deployment ${r.deployment} --replicas=0 -n ${f.cluster.namespace}, then run prepare again`,
            });
        }
    }
    if (f.repository.pvc && !f.repository.directory && f.repository.types.includes('posix')) {
        out.push({
            code: 'repo-path-outside-volume',
            message: `repo path ${f.repository.path} is not below ${V4.repoMount}, where PVC ${f.repository.pvc} is mounted: cannot tell the directory to move`,
        });
    }
    return out;
}

/**
 * A replica v4's rmdata cannot remove: it removes replicas by Pgreplica or the cluster's own name
 * (cmd/pgo-rmdata/process.go, IsReplica branch, CrunchyData/postgres-operator v4.7.9); one scaled to zero by hand is no longer in the way.
 */
export function beyondRmdata(r: Facts['replicas'][number], cluster: string): boolean {
    return r.deployment !== null && !r.pgreplica && r.deployment !== cluster && r.podsWanted !== 0;
}

function backupsBlockers(f: Facts): Finding[] {
    const r = f.repository;
    const cloud = r.types.includes('s3') || r.types.includes('gcs');
    const out: Finding[] = [];
    if (!cloud && !(r.pvc && volume(f, 'repo')?.exists)) {
        out.push({
            code: 'repo-missing',
            message: `no pgBackRest repository to restore from: PVC ${r.pvc ?? V4.repoPvc(f.cluster.name)} does not exist and no S3/GCS repository is configured`,
        });
    }
    const repo = volume(f, 'repo');
    if (r.types.includes('posix') && repo?.exists && repo.controller) out.push({ code: 'pvc-controlled', message: controlledMessage(f, repo) });
    return out;
}

function controlledMessage(f: Facts, v: VolumeReport): string {
    return `PVC ${v.pvc} is controlled by ${v.controller}: deleting that object would delete the PVC, and a v5 cluster cannot adopt it; remove that ownerReference first (kubectl ivyo-upgrade release-pvc ${v.pvc} -n ${f.cluster.namespace}, if a v5 cluster owns it)`;
}

function standbyBlockers(f: Facts): Finding[] {
    const out: Finding[] = [];
    const r = f.repository;
    if (!r.types.includes('s3') && !r.types.includes('gcs')) {
        out.push({
            code: 'standby-needs-cloud-repo',
            message: `the standby method follows an S3 or GCS repository; this cluster's repository is ${r.types.join(',')}: use the volumes or backups method`,
        });
    } else if (r.types.includes('s3') && !(r.s3?.bucket && r.s3.endpoint && r.s3.region)) {
        out.push({ code: 'repo-s3-unknown', message: `pgcluster ${f.cluster.name} has no complete S3 repository (bucket, endpoint and region) for the standby to follow` });
    } else if (!r.types.includes('s3') && !r.gcs?.bucket) {
        out.push({ code: 'repo-gcs-unknown', message: `pgcluster ${f.cluster.name} has no GCS repository bucket for the standby to follow` });
    }
    // The standby runs beside v4 under the name generate gives it, as the logical move's cluster does (<cluster>-v5).
    for (const c of f.logical.collisions) {
        out.push({
            code: 'name-collision',
            message: `${c.kind} ${c.name} exists while v4 still runs; a v5 standby named ${f.logical.name} in this namespace would take that name: give it another name (generate --name) or namespace`,
        });
    }
    return out;
}

function volume(f: Facts, role: VolumeRole): VolumeReport | undefined {
    return f.volumes.find((v) => v.role === role);
}

function sameClaimSpec(a: VolumeReport, b: VolumeReport): boolean {
    return a.size === b.size && a.storageClass === b.storageClass && [...a.accessModes].sort().join() === [...b.accessModes].sort().join();
}

function claimSummary(v: VolumeReport): string {
    return `${v.size ?? '?'}, ${v.accessModes.join('+') || 'no access modes'}, class ${v.storageClass ?? 'none'}`;
}

function volumeWarnings(f: Facts, roles: VolumeRole[]): Finding[] {
    const reused = f.volumes.filter((v) => roles.includes(v.role) && v.exists);
    const out: Finding[] = [];
    for (const v of reused) {
        if (v.reclaimPolicy === 'Delete') {
            out.push({
                code: 'reclaim-delete',
                message: `PV ${v.pv} of PVC ${v.pvc} has reclaim policy Delete: set it to Retain (prepare does) so a deleted claim does not take the data with it`,
            });
        }
        if (v.v4Labels.length > 0) {
            out.push({
                code: 'v4-labels',
                message: `PVC ${v.pvc} carries v4 labels ${v.v4Labels.join(', ')}: remove them once v4 is deleted (prepare does), or a later v4 delete could take the volume`,
            });
        }
        if (v.source === 'nfs' || v.source === 'hostPath') {
            out.push({ code: 'group-26', message: `PVC ${v.pvc} is on ${v.source}, which ignores fsGroup: make its files group 26 and group-writable before v5 uses them` });
        }
    }
    return out;
}

function repoMissingWarning(f: Facts): Finding[] {
    const r = f.repository;
    if (!r.types.includes('posix')) {
        return [
            {
                code: 'repo-cloud-only',
                message: `the v4 repository is ${r.types.join(',')} only: the v5 cluster keeps it as repo1 (same path), and the repo PVC, which v4 never writes to, is not adopted`,
            },
        ];
    }
    if (r.pvc && volume(f, 'repo')?.exists) return [];
    return [{ code: 'repo-pvc-missing', message: `no repo PVC (${V4.repoPvc(f.cluster.name)}) exists: the v5 cluster starts a new, empty pgBackRest repository` }];
}

function repoTypeWarning(f: Facts): Finding[] {
    const r = f.repository;
    if (!r.repo1TypeEnv || r.typesFrom === 'env' || r.typesFrom === 'default') return [];
    const expected = r.types.includes('posix') ? 'posix' : r.types[0];
    if (r.repo1TypeEnv === expected) return [];
    return [
        {
            code: 'repo-type-disagrees',
            message: `the pgcluster says the repository is ${r.types.join(',')} (${r.typesFrom}), but the primary runs with PGBACKREST_REPO1_TYPE=${r.repo1TypeEnv}: check where v4 really writes its backups before going on`,
        },
    ];
}

function collisionWarning(f: Facts): Finding[] {
    return f.target.collisions.map((c) => ({
        code: 'name-collision',
        message: `${c.kind} ${c.name} has a name v5 will use; the v4 operator deletes its own objects when the pgcluster is deleted, delete any that remain before applying v5`,
    }));
}

function collationWarning(f: Facts): Finding[] {
    return [
        {
            code: 'collation',
            message: `v5 images run another OS (glibc) than ${f.cluster.image ?? 'the v4 image'}: text indexes may need REINDEX after the move (https://wiki.postgresql.org/wiki/Locale_data_changes)`,
        },
    ];
}

function tablespaceWarning(f: Facts): Finding[] {
    return f.tablespaces.map((t) => ({
        code: 'tablespace',
        message: `tablespace ${t.name} (PVC ${t.pvc}): the restore recreates it inside the new data volume; check that the data volume is large enough`,
    }));
}

/**
 * The logical move: a fresh cluster beside v4, filled through SQL, so v4's files, image and major do not matter.
 * It needs v4 running and names of its own; what prepare's preflight read on v4 adds its findings.
 */
function logicalVerdict(f: Facts, flavor: Flavor): { ready: boolean; blockers: Finding[]; warnings: Finding[] } {
    const blockers = sourceBlockers(f, flavor);
    const warnings: Finding[] = [];
    const ns = f.cluster.namespace;
    for (const c of f.logical.collisions) {
        blockers.push({
            code: 'name-collision',
            message: `${c.kind} ${c.name} exists in namespace ${ns}, and a v5 cluster named ${f.logical.name} would take that name while v4 still runs: give the v5 cluster another name ("kubectl ivyo-upgrade generate ${f.cluster.name} -n ${ns} --method logical --name <another name>")`,
        });
    }
    const p = f.logical.preflight;
    if (!p) {
        warnings.push({
            code: 'preflight-not-read',
            message: `what decides the move (databases and sizes, roles, wal_level, tables without a key, large objects, extensions) is not read yet: run "kubectl ivyo-upgrade prepare ${f.cluster.name} -n ${ns} --method logical", whose Job reads it on v4 through SQL and changes nothing`,
        });
        return { ready: blockers.length === 0, blockers, warnings };
    }
    const found = logicalFindings(p.facts);
    blockers.push(...found.blockers);
    const moved = p.facts.server.databases.filter((d) => d.name !== 'postgres');
    const gib = (moved.reduce((sum, d) => sum + d.bytes, 0) / 2 ** 30).toFixed(1);
    warnings.push(...found.replicate.map((r) => ({ code: `replicate-${r.code}`, message: `--copy replicate: ${r.message}` })), ...found.warnings);
    warnings.push({
        code: 'dump-downtime',
        message: `--copy dump moves ${moved.length} databases (${moved.map((d) => d.name).join(', ') || 'none'}; ${gib} GiB) while v4 must take no writes: anything written after the copy starts is not moved; --copy replicate keeps v4 writable until the cut-over`,
    });
    return { ready: blockers.length === 0, blockers, warnings };
}
