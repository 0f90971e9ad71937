import type { Options } from 'yargs';
import { UsageError, UserError } from '../errors.js';
import type { Io } from '../io.js';
import type { KubeClient } from '../kube/client.js';
import { discover } from '../kube/discovery.js';
import { paths } from '../kube/paths.js';
import { serverSideApply } from '../kube/writes.js';
import { serialize } from '../output/format.js';
import { chooseTarget, type TargetChoice } from '../targets/choice.js';
import { credentialsForOutput, generateManifest, type Generated } from '../v5/generate.js';
import type { CarryItem } from '../v5/carry.js';
import type { RepoKind } from '../v5/repository.js';
import { targetFlag } from './global.js';
import { defineCommand } from './spec.js';

/** The flags that shape a manifest; `apply` takes them too, to generate one. */
export const manifestFlags = {
    method: {
        choices: ['volumes', 'backups', 'standby', 'logical'] as const,
        describe:
            'volumes: reuse the v4 PVCs in place; backups: restore a new cluster from the v4 pgBackRest repository; standby: a standby beside v4 that follows its S3/GCS repository (these three --target pgo only); logical: a fresh cluster beside v4, filled by SQL (default for --target ivyo, else volumes)',
    },
    repo: { choices: ['posix', 's3', 'gcs'] as const, describe: 'backups: the v4 repository to restore from (default: its PVC if v4 writes there, else its cloud repository)' },
    'restore-type': { type: 'string', describe: 'backups: point-in-time recovery, pgBackRest --type (time, xid, name, lsn, immediate)' },
    'restore-target': { type: 'string', describe: 'backups: the recovery target, pgBackRest --target (e.g. "2026-11-20 14:15:11+00")' },
    target: targetFlag('The v5 operator (default: ivyo, or the only one installed; the physical methods need pgo)'),
    name: { type: 'string', describe: 'Name of the v5 cluster (default: the v4 name; logical: <cluster>-v5)' },
    image: { type: 'string', describe: "PostgreSQL image: for the data's major (physical methods), or for --postgres-version (logical)" },
    'pgbackrest-image': { type: 'string', describe: 'pgBackRest image from the same release as --image' },
    'postgres-version': {
        type: 'number',
        describe:
            "The PostgreSQL major: physical methods, only when the image tag does not tell it (never to change majors); logical, the new major (default: the target's newest)",
    },
    carry: {
        type: 'boolean',
        default: true,
        describe:
            "Carry v4's configuration (Patroni, pg_hba, replicas, resources, placement, service type, labels, pgBouncer, exporter, pgBackRest, schedules, TLS, users) into the manifest and report each item on stderr (one JSON document with -o json); with --no-carry, the minimal manifest",
    },
    'replication-tls-secret': {
        type: 'string',
        describe:
            "With v4's TLS: a Secret holding tls.crt, tls.key and ca.crt of a client certificate for the target's replication user, signed by v4's CA; v4's certificate is carried only with it (v5 takes the two together)",
    },
} as const satisfies Record<string, Options>;

/** What the manifest flags hold once parsed. */
export interface ManifestArgs {
    method?: 'volumes' | 'backups' | 'standby' | 'logical';
    repo?: RepoKind;
    restoreType?: string;
    restoreTarget?: string;
    name?: string;
    image?: string;
    pgbackrestImage?: string;
    postgresVersion?: number;
    carry?: boolean;
    replicationTlsSecret?: string;
    /** apply's `--copy`: a logical move by replication leaves out the warning about a dump's downtime. */
    copy?: 'dump' | 'replicate';
    output?: string;
}

/** One line of the carry report: `translated: spec.serviceType LoadBalancer → spec.service.type LoadBalancer`. */
export function carryLine(c: CarryItem): string {
    return `${c.outcome}: ${c.from}${c.to ? ` → ${c.to}` : ''}${c.why ? ` (${c.why})` : ''}`;
}

/** A v5 cluster name: its Services are named after it, so it must be a DNS-1035 label (and leave room for suffixes). */
const V5_NAME = /^[a-z]([-a-z0-9]{0,43}[a-z0-9])?$/;

/** The manifest flags' own rules, checked before any connection (exit 2). */
export function checkManifestFlags(a: Partial<ManifestArgs>): void {
    if (a.postgresVersion !== undefined && !Number.isInteger(a.postgresVersion)) {
        throw new UsageError('--postgres-version takes a whole major number, like 13');
    }
    if (a.method !== 'backups' && (a.repo || a.restoreType || a.restoreTarget)) {
        throw new UsageError('--repo, --restore-type and --restore-target go with --method backups');
    }
    if (a.name !== undefined && !V5_NAME.test(a.name)) {
        throw new UsageError(`--name "${a.name}" is not a valid cluster name: lowercase letters, digits and "-", starting with a letter, at most 45 characters`);
    }
}

/** Generates from the manifest flags, printing generate's warnings on stderr. Shared with `apply`. */
export async function generateFromFlags(
    client: KubeClient,
    io: Io,
    where: { namespace: string; cluster: string; target: TargetChoice; v4Served: boolean },
    args: ManifestArgs,
): Promise<Generated> {
    const generated = await generateManifest(client, {
        ...where,
        method: args.method,
        name: args.name,
        image: args.image,
        pgbackrestImage: args.pgbackrestImage,
        postgresVersion: args.postgresVersion,
        repo: args.repo,
        restoreType: args.restoreType,
        restoreTarget: args.restoreTarget,
        carry: args.carry,
        replicationTLSSecret: args.replicationTlsSecret,
    });
    for (const w of generated.warnings.filter((x) => !(args.copy === 'replicate' && x.code === 'dump-downtime'))) io.stderr.write(`warning: ${w.code}: ${w.message}\n`);
    // With -o json the report is data too: one JSON document on stderr, `{"carry": [{outcome, from, to?, why?}]}` (none when empty).
    if (args.output === 'json' && generated.carried?.length) io.stderr.write(`${JSON.stringify({ carry: generated.carried })}\n`);
    else for (const c of generated.carried ?? []) io.stderr.write(`carry: ${carryLine(c)}\n`);
    return generated;
}

export const generateCommand = defineCommand({
    usage: 'generate <cluster>',
    describe: 'Print the v5 cluster manifest that takes over a v4 cluster (YAML on stdout)',
    positionals: { cluster: { type: 'string', demandOption: true, describe: 'Name of the v4 pgcluster' } },
    flags: {
        ...manifestFlags,
        'include-secrets': {
            type: 'boolean',
            default: false,
            describe: 'backups with S3/GCS: print the credentials Secret too (for GitOps); otherwise apply makes it in the cluster',
        },
        validate: { type: 'boolean', default: false, describe: 'Send the manifest to the server with dryRun=All and report schema errors' },
    },
    examples: [
        ['$0 generate hippo -n pgo', 'The fresh IvoryCluster hippo-v5 (PostgreSQL 18) a logical move fills, beside the running v4 cluster'],
        ['$0 generate hippo -n pgo --target pgo --method logical --name hippo-18', 'The same move into a PostgresCluster: a move and a major upgrade in one'],
        ['$0 generate hippo -n pgo --target pgo --image IMG --pgbackrest-image IMG2', "The PostgresCluster that adopts hippo's volumes, with images for the data's major"],
        [
            '$0 generate hippo -n pgo --method standby --target pgo --image IMG --pgbackrest-image IMG2',
            'A standby hippo-v5 beside the running v4 cluster, following its S3/GCS repository',
        ],
        ['$0 generate hippo -n pgo --target pgo --image IMG --validate | kubectl apply --server-side -f -', 'Check against the CRD, then apply'],
        [
            '$0 generate hippo --target pgo --method backups --repo s3 --restore-type time --restore-target "2026-11-20 14:15:11+00"',
            'Restore from the v4 S3 repository to a point in time',
        ],
    ],
    permissions: 'generate',
    completes: { positional: 'v4Clusters' },
    validate: checkManifestFlags,
    async run(args, { io, connect }) {
        const { client, namespace } = connect();
        const apis = await discover(client);
        const target = chooseTarget(args.target, apis.v5);
        const { manifest, credentials } = await generateFromFlags(client, io, { namespace, cluster: args.cluster, target, v4Served: apis.v4 }, args);
        if (args.validate) {
            const f = target.flavor;
            if (!target.installed) throw new UserError(`cannot validate: the server does not serve ${f.kind} (${f.group}/${f.version}); install ${f.product} first`);
            await serverSideApply(client, paths.v5Cluster(f, namespace, manifest.metadata.name), manifest, { dryRun: true });
            io.stderr.write(`${f.kind} ${manifest.metadata.name} passed the server's validation (dryRun=All).\n`);
        }
        // A manifest has no table form: the default output is YAML.
        const format = args.output === 'json' ? 'json' : 'yaml';
        if (args.includeSecrets && credentials) {
            // Opted into: the credentials leave the cluster on stdout. Otherwise apply makes the Secret in-cluster.
            const secret = await credentialsForOutput(client, namespace, args.cluster, credentials);
            io.stdout.write(
                format === 'json'
                    ? serialize({ apiVersion: 'v1', kind: 'List', items: [secret, manifest] }, 'json')
                    : `${serialize(secret, 'yaml')}---\n${serialize(manifest, 'yaml')}`,
            );
            return;
        }
        if (credentials) {
            io.stderr.write(
                credentials.from
                    ? `note: the manifest names Secret ${credentials.name}; apply makes it from ${credentials.from} in the cluster (or pass --include-secrets)\n`
                    : `warning: the manifest names Secret ${credentials.name}, and v4 left no repo config Secret to make it from: create it yourself before applying\n`,
            );
        }
        io.stdout.write(serialize(manifest, format));
    },
});
