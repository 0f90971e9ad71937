import type { Finding, Inspection } from '../v4/inspection.js';
import type { Flavor } from './flavors.js';

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

/** Inspection blockers that generate judges itself, with what the user passed. */
const OWN_CHECKS = new Set(['postgres-major-no-default-image', 'postgres-major-unsupported', 'postgres-major-unknown', 'target-crd-missing']);

/**
 * The traps of v4-to-v5-facts.md §11 that must stop `generate --method volumes` (exit 3) rather than
 * produce a manifest that boots an empty database or fails half way.
 */
export function volumesVerdict(i: Inspection, r: GenerateRequest): GenerateVerdict {
    const refusals = i.methods.volumes.blockers.filter((b) => !OWN_CHECKS.has(b.code));
    const warnings: Finding[] = [];
    if (i.wal && !i.primary.pvc) {
        refusals.push({ code: 'wal-without-data', message: `a pg_wal volume (${i.wal.pvc}) must be accompanied by a pgData volume, and none was found` });
    }

    const read = i.cluster.postgresMajor;
    let major: number | null = read;
    if (r.postgresVersion !== undefined) {
        if (read !== null && r.postgresVersion !== read) {
            refusals.push({
                code: 'postgres-version-differs',
                message: `--postgres-version ${r.postgresVersion} differs from the data's major ${read} (image ${i.cluster.image}); moving volumes cannot change majors: v5 halts unless postgresVersion equals PG_VERSION`,
            });
        }
        major = r.postgresVersion;
    }
    if (major === null) {
        refusals.push({ code: 'postgres-major-unknown', message: `cannot tell the PostgreSQL major from image "${i.cluster.image ?? 'none'}": read $PGDATA/PG_VERSION and pass --postgres-version` });
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
    if (r.image && !r.pgbackrestImage) {
        warnings.push({ code: 'pgbackrest-image', message: 'pass --pgbackrest-image from the same release as --image: pgBackRest versions must match between the two (facts §8.9)' });
    }

    for (const c of i.target.collisions) {
        if (r.v4Live) {
            warnings.push({ code: 'name-collision', message: `${c.kind} ${c.name} exists; the v4 operator deletes it with the pgcluster: run prepare before applying` });
        } else {
            refusals.push({ code: 'name-collision', message: `${c.kind} ${c.name} was left behind by v4 and has a name the v5 cluster will create: delete it, then generate again` });
        }
    }
    if (r.v4Live) {
        warnings.push({ code: 'v4-running', message: `pgcluster ${i.cluster.name} still exists: run "kubectl ivyo-upgrade prepare ${i.cluster.name} --method volumes" before applying this manifest` });
    }
    return { refusals, warnings, postgresVersion: refusals.length === 0 ? major : null };
}
