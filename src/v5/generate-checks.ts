import type { Finding, Inspection } from '../v4/inspection.js';
import { applicationUsers } from '../v4/preflight.js';
import { v5UserSecret } from './logical-job.js';
import { isV5UserName } from '../targets/names.js';
import type { RepoKind } from './repository.js';
import type { Flavor } from '../targets/flavors.js';

export interface GenerateRequest {
    flavor: Flavor;
    image?: string;
    pgbackrestImage?: string;
    /** `--postgres-version`: only to supply a major the image tag does not tell, never to change it. */
    postgresVersion?: number;
    /** Whether the v4 pgcluster still exists (else the inspection comes from prepare's record). */
    v4Live: boolean;
}

export interface GenerateVerdict {
    refusals: Finding[];
    warnings: Finding[];
    postgresVersion: number | null;
}

/**
 * Inspection blockers generate does not take as they are: the image and major checks it judges itself, with
 * what the user passed; and a replica v4 cannot scale down, which stops prepare, not a manifest.
 */
const OWN_CHECKS = new Set(['postgres-major-no-default-image', 'postgres-major-unsupported', 'postgres-major-unknown', 'target-crd-missing', 'replica-cannot-scale-down']);

/**
 * What must stop `generate --method volumes` (exit 3) rather than produce a manifest that boots an empty
 * database or fails half way: inspect's blockers, and the checks below.
 */
export function volumesVerdict(i: Inspection, r: GenerateRequest): GenerateVerdict {
    const refusals = i.methods.volumes.blockers.filter((b) => !OWN_CHECKS.has(b.code));
    if (i.wal && !i.primary.pvc) {
        refusals.push({ code: 'wal-without-data', message: `a pg_wal volume (${i.wal.pvc}) must be accompanied by a pgData volume, and none was found` });
    }
    return withCommonChecks(i, r, refusals, 'volumes');
}

export interface BackupsRequest extends GenerateRequest {
    repo: RepoKind;
    restoreType?: string;
    restoreTarget?: string;
}

/** `generate --method backups`: the backups blockers, the chosen repository, point-in-time options, and the common checks. */
export function backupsVerdict(i: Inspection, r: BackupsRequest): GenerateVerdict & { restoreOptions: string[] } {
    const refusals = i.methods.backups.blockers.filter((b) => !OWN_CHECKS.has(b.code));
    const warnings: Finding[] = [];
    const repo = i.repository;
    if (r.repo === 'posix' && !repo.types.includes('posix')) {
        refusals.push({
            code: 'repo-posix-unused',
            message: `v4 writes its backups to ${repo.types.join(',')} only, so its repo PVC holds none: use --repo ${repo.types.includes('s3') ? 's3' : 'gcs'} (or leave --repo out)`,
        });
    } else if (r.repo === 'posix' && !(repo.pvc && i.volumes.some((v) => v.role === 'repo' && v.exists))) {
        refusals.push({
            code: 'repo-pvc-missing',
            message: `--repo posix needs the v4 repo PVC, and ${repo.pvc ?? `${i.cluster.name}-pgbr-repo`} does not exist: choose --repo s3 or gcs if v4 wrote there`,
        });
    }
    const cloud = repo.types.filter((t) => t === 's3' || t === 'gcs');
    if (repo.types.includes('posix') && cloud.length > 0) {
        const other = r.repo === 'posix' ? cloud[0] : 'posix';
        warnings.push({
            code: 'repo-copy',
            message: `v4 keeps two copies of its backups (posix on PVC ${repo.pvc ?? '-'}, and ${cloud.join(',')}); this restores from the ${r.repo} copy: --repo ${other} for the other`,
        });
    }
    if (r.repo === 's3' && !(repo.s3?.bucket && repo.s3.endpoint && repo.s3.region)) {
        refusals.push({ code: 'repo-s3-unknown', message: 'the v4 cluster has no complete S3 repository (bucket, endpoint and region): choose the repository v4 wrote to' });
    }
    if (r.repo === 'gcs' && !repo.gcs?.bucket) {
        refusals.push({ code: 'repo-gcs-unknown', message: 'the v4 cluster has no GCS repository bucket: choose the repository v4 wrote to' });
    }
    const restoreOptions: string[] = [];
    if (r.restoreTarget !== undefined && !r.restoreType) {
        refusals.push({ code: 'restore-type-missing', message: '--restore-target needs --restore-type (time, xid, name or lsn)' });
    }
    if (r.restoreType) {
        if (r.restoreType !== 'immediate' && r.restoreTarget === undefined) {
            refusals.push({ code: 'restore-target-missing', message: `--restore-type ${r.restoreType} needs --restore-target` });
        }
        restoreOptions.push(`--type=${r.restoreType}`);
        if (r.restoreTarget !== undefined) restoreOptions.push(`--target="${r.restoreTarget}"`);
    }
    const common = withCommonChecks(i, r, refusals, 'backups');
    return { ...common, warnings: [...warnings, ...common.warnings], restoreOptions };
}

/** What the physical methods check: the PostgreSQL major and image; for volumes and backups, names v4 left behind and v4 still running. */
function withCommonChecks(i: Inspection, r: GenerateRequest, refusals: Finding[], method: 'volumes' | 'backups' | 'standby'): GenerateVerdict {
    const warnings: Finding[] = [];
    const read = i.cluster.postgresMajor;
    let major: number | null = read;
    if (r.postgresVersion !== undefined) {
        if (read !== null && r.postgresVersion !== read) {
            refusals.push({
                code: 'postgres-version-differs',
                message: `--postgres-version ${r.postgresVersion} differs from the data's major ${read} (image ${i.cluster.image}); an upgrade cannot change majors: v5 halts unless postgresVersion equals PG_VERSION`,
            });
        }
        major = r.postgresVersion;
    }
    if (!r.flavor.runsVanillaData) {
        // Refused already (target-cannot-run-v4-data): no image or major makes it work.
    } else if (major === null) {
        refusals.push({
            code: 'postgres-major-unknown',
            message: `cannot tell the PostgreSQL major from image "${i.cluster.image ?? 'none'}": read $PGDATA/PG_VERSION and pass --postgres-version`,
        });
    } else if (major < r.flavor.postgresVersions.min || major > r.flavor.postgresVersions.max) {
        refusals.push({
            code: 'postgres-major-unsupported',
            message: `${r.flavor.kind} accepts postgresVersion ${r.flavor.postgresVersions.min}–${r.flavor.postgresVersions.max}, and the data is PostgreSQL ${major}: upgrade the major on v4 first`,
        });
    } else if (!r.image && !r.flavor.defaultImageMajors.includes(major)) {
        refusals.push({
            code: 'image-required',
            message: `${r.flavor.product}'s own images run PostgreSQL ${r.flavor.defaultImageMajors.join(' and ')}, and the data is PostgreSQL ${major}: pass --image (and --pgbackrest-image) for PostgreSQL ${major}`,
        });
    }
    if (r.flavor.runsVanillaData && r.image && !r.pgbackrestImage) {
        warnings.push({
            code: 'pgbackrest-image',
            message: 'pass --pgbackrest-image from the same release as --image: pgBackRest refuses a remote of another version (pgbackrest src/protocol/client.c)',
        });
    }
    if (method === 'standby') return { refusals, warnings, postgresVersion: refusals.length === 0 ? major : null };
    for (const c of i.target.collisions) {
        if (r.v4Live) {
            warnings.push({ code: 'name-collision', message: `${c.kind} ${c.name} exists; the v4 operator deletes it with the pgcluster: run prepare before applying` });
        } else {
            refusals.push({
                code: 'name-collision',
                message: `${c.kind} ${c.name} was left behind by v4 and has a name the v5 cluster will create: delete it, then generate again`,
            });
        }
    }
    if (r.v4Live) {
        warnings.push({
            code: 'v4-running',
            message: `pgcluster ${i.cluster.name} still exists: run "kubectl ivyo-upgrade prepare ${i.cluster.name} -n ${i.cluster.namespace} --method ${method} --target ${r.flavor.name}" before applying this manifest`,
        });
    }
    return { refusals, warnings, postgresVersion: refusals.length === 0 ? major : null };
}

/**
 * `generate --method logical`: a fresh cluster beside the running v4 cluster. Its major is the target's newest
 * with a default image unless --postgres-version says otherwise, never older than v4's (pg_dump moves data up,
 * not down); its names must collide with nothing in the namespace, as v4 keeps running.
 */
export function logicalVerdict(i: Inspection, r: GenerateRequest & { name: string }): GenerateVerdict {
    const refusals = i.methods.logical.blockers.filter((b) => b.code !== 'name-collision' && b.code !== 'target-crd-missing');
    const f = r.flavor;
    if (!r.v4Live) {
        refusals.push({
            code: 'v4-not-running',
            message: `a logical move reads from the running v4 cluster, and pgcluster ${i.cluster.name} no longer exists in namespace ${i.cluster.namespace}: restore it, or use a physical method (--target pgo --method volumes or backups)`,
        });
    }
    for (const c of i.target.collisions) {
        refusals.push({
            code: 'name-collision',
            message: `${c.kind} ${c.name} exists in namespace ${i.cluster.namespace}, and the v5 cluster ${r.name} would create it while v4 still runs: choose another name ("kubectl ivyo-upgrade generate ${i.cluster.name} -n ${i.cluster.namespace} --method logical --target ${f.name} --name <another name>")`,
        });
    }
    if (!i.volumes.some((v) => v.role === 'data' && v.size)) {
        refusals.push({
            code: 'data-size-unknown',
            message: `the size of v4's data volume is unknown (PVC ${i.primary.pvc ?? 'none'}): the new cluster's volumes take its size and class`,
        });
    }
    const newest = Math.max(...f.defaultImageMajors);
    if (r.image && r.postgresVersion === undefined) {
        refusals.push({ code: 'postgres-version-required', message: `--image needs --postgres-version: the major the image runs (${f.kind} requires spec.postgresVersion)` });
    }
    const major = r.postgresVersion ?? newest;
    const v4Major = i.cluster.postgresMajor;
    if (major < f.postgresVersions.min || major > f.postgresVersions.max) {
        refusals.push({ code: 'postgres-major-unsupported', message: `${f.kind} accepts postgresVersion ${f.postgresVersions.min}–${f.postgresVersions.max}, not ${major}` });
    } else if (v4Major !== null && major < v4Major) {
        refusals.push({ code: 'postgres-version-older', message: `PostgreSQL ${major} is older than v4's ${v4Major}: a logical move goes to the same or a newer major` });
    } else if (!r.image && !f.defaultImageMajors.includes(major)) {
        refusals.push({
            code: 'image-required',
            message: `${f.product}'s own images run PostgreSQL ${f.defaultImageMajors.join(', ')}: pass --image for PostgreSQL ${major}, or leave --postgres-version out (${newest})`,
        });
    }
    const unmanaged = applicationUsers(i.cluster.name, i.userSecrets).filter((u) => !isV5UserName(u));
    const warnings = [
        ...i.methods.logical.warnings,
        ...unmanaged.map((u) => ({
            code: 'user-not-managed',
            message: `user ${u}: ${f.kind} takes only lowercase letters, digits and "-" in spec.users, so the operator will not manage it (no Secret ${v5UserSecret(r.name, u)}); the copy still moves the role with its password`,
        })),
    ];
    return { refusals, warnings, postgresVersion: refusals.length === 0 ? major : null };
}

/**
 * `generate --method standby`: a standby beside the running v4 cluster, following its S3 or GCS repository. v4
 * must run (the standby follows it until promote), its repository must be complete, and the v5 names must
 * collide with nothing v4 runs; the major and image as for the other physical methods.
 */
export function standbyVerdict(i: Inspection, r: GenerateRequest & { name: string }): GenerateVerdict & { repo: 's3' | 'gcs' | null } {
    const refusals = i.methods.standby.blockers.filter((b) => !OWN_CHECKS.has(b.code) && b.code !== 'name-collision');
    const repo = i.repository;
    const kind = repo.types.includes('s3') ? 's3' : repo.types.includes('gcs') ? 'gcs' : null;
    const here = `-n ${i.cluster.namespace}`;
    if (!r.v4Live) {
        refusals.push({
            code: 'v4-not-running',
            message: `a standby follows the running v4 cluster, and pgcluster ${i.cluster.name} no longer exists: restore from its repository instead ("kubectl ivyo-upgrade generate ${i.cluster.name} ${here} --method backups --target ${r.flavor.name}")`,
        });
    }
    if (!repo.path) {
        refusals.push({ code: 'repo-path-unknown', message: `the repository path of pgcluster ${i.cluster.name} is unknown: the standby must read v4's exact repo1-path` });
    }
    for (const c of i.target.collisions) {
        refusals.push({
            code: 'name-collision',
            message: `${c.kind} ${c.name} exists in namespace ${i.cluster.namespace}, and the standby ${r.name} would create it while v4 still runs: choose another name ("kubectl ivyo-upgrade generate ${i.cluster.name} ${here} --method standby --target ${r.flavor.name} --name <another name>")`,
        });
    }
    return { ...withCommonChecks(i, r, refusals, 'standby'), repo: kind };
}
