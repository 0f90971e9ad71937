import { UsageError } from '../errors.js';
import { discover, v5NotServed } from '../kube/discovery.js';
import { applyCluster } from '../plan/apply-procedure.js';
import { logicalApply } from '../plan/logical-procedure.js';
import { renderClientChanges, showResult } from '../output/client-changes.js';
import { logicalJobName } from '../v5/logical-job.js';
import { defaultMethod } from '../v5/generate.js';
import { runProcedure } from '../plan/execute.js';
import { chooseTarget } from '../targets/choice.js';
import type { Flavor } from '../targets/flavors.js';
import { logicalName } from '../targets/names.js';
import { readReplay } from '../v5/promote-state.js';
import type { V5Cluster } from '../v5/cluster.js';
import { SOURCE_ANNOTATION } from '../v5/manifest.js';
import { manifestFromFile } from '../v5/manifest-file.js';
import { checkManifestFlags, generateFromFlags, manifestFlags } from './generate.js';
import { checkPlanOutput, confirmFlags, dryRunOf, timeoutFlag } from './global.js';
import { defineCommand } from './spec.js';

export const applyCommand = defineCommand({
    usage: 'apply [cluster]',
    describe: 'Create the v5 cluster (over the prepared v4 volumes, from its backups, or fresh and filled by SQL beside v4), keep the passwords, follow it until it runs',
    positionals: { cluster: { type: 'string', describe: "Name of the v4 cluster (with -f: the v4 cluster whose passwords to keep; default: the manifest's name)" } },
    flags: {
        filename: { alias: 'f', type: 'string', describe: 'Apply this manifest (a file, or - for stdin) instead of generating one' },
        ...manifestFlags,
        ...confirmFlags,
        wait: {
            type: 'boolean',
            default: true,
            describe: 'Physical methods: follow the operator until the cluster runs, then remove spec.dataSource.volumes (--no-wait to stop after creating it)',
        },
        timeout: timeoutFlag('15m', 'How long to wait for the operator at each step'),
        'keep-passwords': {
            type: 'boolean',
            default: true,
            describe: 'Copy the v4 user passwords into the v5 user Secrets, in the cluster (--no-keep-passwords to let v5 make new ones)',
        },
        copy: {
            choices: ['dump', 'replicate'] as const,
            default: 'dump' as const,
            describe: 'logical: dump (pg_dump and pg_restore; v4 must take no writes meanwhile) or replicate (logical replication; v4 stays writable until "cutover")',
        },
        'copy-jobs': { type: 'number', default: 2, describe: 'logical, dump: tables copied at a time, and pg_restore parallelism' },
    },
    examples: [
        ['$0 apply hippo -n pgo', 'Create the IvoryCluster hippo-v5 beside v4 and copy every database into it (logical, dump)'],
        ['$0 apply hippo -n pgo --copy replicate', 'The same, by logical replication: v4 stays writable until "cutover"'],
        ['$0 apply hippo -n pgo --target pgo --image IMG --pgbackrest-image IMG2', 'Generate, create the PostgresCluster, follow it until it runs'],
        ['$0 generate hippo -n pgo --target pgo --image IMG > hippo.yaml && $0 apply -f hippo.yaml -n pgo', 'Apply a reviewed manifest'],
        ['$0 apply hippo -n pgo --target pgo --image IMG --dry-run', "apply's plan, even before prepare"],
        ['$0 apply hippo -n pgo --target pgo --image IMG --dry-run=server', 'Let the server check every write, persisting nothing'],
    ],
    permissions: 'apply',
    completes: { positional: 'v4Clusters' },
    validate(a) {
        checkPlanOutput(a);
        if (!a.cluster && !a.filename) throw new UsageError('name the v4 cluster, or pass -f with a manifest');
        if (a.filename && a.method === 'logical' && !a.cluster)
            throw new UsageError('-f with --method logical needs the v4 cluster to copy from: apply <cluster> -f FILE --method logical');
        if (!Number.isInteger(a.copyJobs) || a.copyJobs < 1) throw new UsageError('--copy-jobs takes a whole number of at least 1');
        checkManifestFlags(a);
    },
    async run(args, { io, connect }) {
        // A manifest file is read and checked before the connection is made.
        const fromFile = args.filename ? await manifestFromFile(args.filename, io.stdin, { namespace: args.namespace, cluster: args.cluster }) : null;
        const { client, namespace, contextName } = connect();
        const apis = await discover(client);
        let manifest: V5Cluster;
        let flavor: Flavor;
        let method = args.method;
        if (fromFile) {
            flavor = fromFile.flavor;
            const m = fromFile.manifest;
            const v4 = args.cluster ?? m.metadata.annotations?.[SOURCE_ANNOTATION] ?? m.metadata.name;
            // This tool creates the cluster: it says from which v4 cluster, so a re-run recognises it as its own.
            manifest = { ...m, metadata: { ...m.metadata, namespace: m.metadata.namespace ?? namespace, annotations: { ...m.metadata.annotations, [SOURCE_ANNOTATION]: v4 } } };
        } else {
            const target = chooseTarget(args.target, apis.v5);
            method ??= defaultMethod(target.flavor);
            const generated = await generateFromFlags(client, io, { namespace, cluster: args.cluster ?? '', target, v4Served: apis.v4 }, { ...args, method });
            manifest = generated.manifest;
            flavor = target.flavor;
        }
        if (!apis.v5[flavor.name]) throw v5NotServed(flavor, contextName);
        const v4Cluster = manifest.metadata.annotations?.[SOURCE_ANNOTATION] ?? args.cluster ?? manifest.metadata.name;
        const dryRun = dryRunOf(args);
        if (method === 'logical') {
            const t = { client, flavor, manifest, v4Cluster, v4Served: apis.v4 };
            const copy = args.copy;
            const outcome = await runProcedure(logicalApply(t, { copy, keepPasswords: args.keepPasswords, jobs: args.copyJobs }), {
                io,
                yes: args.yes,
                dryRun,
                output: args.output,
                timeoutMs: args.timeout,
                reads: client,
            });
            if (outcome !== 'planned' && dryRun === 'none') {
                const ns = manifest.metadata.namespace ?? namespace;
                await showResult(io, client, ns, logicalJobName(manifest.metadata.name, copy === 'dump' ? 'copy' : 'replicate'));
                io.stderr.write(
                    copy === 'dump'
                        ? `
${flavor.kind} ${manifest.metadata.name} holds v4's roles and databases as they were when the copy began. Point clients at it (below); v4 keeps running until you remove it yourself.
`
                        : `
${flavor.kind} ${manifest.metadata.name} follows v4 by logical replication. When clients can stop for a few seconds: kubectl ivyo-upgrade cutover ${v4Cluster} -n ${ns} --name ${manifest.metadata.name} --target ${flavor.name}
`,
                );
                if (copy === 'dump') io.stdout.write(renderClientChanges({ manifest, v4Cluster, flavor }, args.output));
            }
            return;
        }
        const procedure = applyCluster(client, flavor, manifest, v4Cluster, apis.v4, { keepPasswords: args.keepPasswords, wait: args.wait, preview: dryRun === 'client' });
        const outcome = await runProcedure(procedure, { io, yes: args.yes, dryRun, output: args.output, timeoutMs: args.timeout, reads: client });
        if (outcome === 'done' && dryRun === 'none' && args.wait) {
            const name = manifest.metadata.name;
            const ns = manifest.metadata.namespace ?? namespace;
            if (manifest.spec?.standby?.enabled === true) {
                io.stderr.write(standbyNext(flavor, name, ns, v4Cluster, await readReplay(client, flavor, ns, name)));
                return;
            }
            io.stderr.write(
                `\n${flavor.kind} ${name} runs on the v4 volumes. Next:\n` +
                    `  - before ever deleting ${flavor.kind} ${name} (a rollback), shut it down and run: kubectl ivyo-upgrade release-pvc --all --cluster ${name} -n ${ns} (it owns the adopted PVCs: deleting it would delete them)\n` +
                    `  - take a first v5 backup (spec.backups.pgbackrest.manual, then annotate ${flavor.labelPrefix}pgbackrest-backup)\n`,
            );
        }
    },
});

/** After a standby runs: how far it has replayed v4's archive, and the cut-over, which is `promote`'s. */
function standbyNext(flavor: Flavor, name: string, ns: string, v4: string, replay: Awaited<ReturnType<typeof readReplay>>): string {
    const far =
        'proof' in replay
            ? `it has replayed v4's archive to ${replay.proof.replayed}; v4's newest archived segment, ${replay.proof.archived}, ends at ${replay.proof.archivedEnd}`
            : `how far it has replayed could not be read (${replay.unreadable})`;
    return (
        `\n${flavor.kind} ${name} is a standby of v4 cluster ${v4}: ${far}. It takes no writes; v4 keeps running. When you are ready to cut over:\n` +
        `  kubectl ivyo-upgrade promote ${v4} -n ${ns}${name === logicalName(v4) ? '' : ` --name ${name}`}   (shuts v4 down the v4 way, proves the standby replayed its last WAL, promotes it)\n`
    );
}
