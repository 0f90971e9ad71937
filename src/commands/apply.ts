import { UsageError, UserError } from '../errors.js';
import { discover } from '../kube/discovery.js';
import { applyCluster } from '../plan/apply-procedure.js';
import { runProcedure } from '../plan/execute.js';
import { chooseTarget } from '../targets/choice.js';
import { apiVersionOf, type Flavor } from '../targets/flavors.js';
import type { V5Cluster } from '../v5/cluster.js';
import { SOURCE_ANNOTATION } from '../v5/manifest.js';
import { manifestFromFile } from '../v5/manifest-file.js';
import { checkManifestFlags, generateFromFlags, manifestFlags } from './generate.js';
import { checkPlanOutput, confirmFlags, dryRunOf, timeoutFlag } from './global.js';
import { defineCommand } from './spec.js';

export const applyCommand = defineCommand({
    usage: 'apply [cluster]',
    describe: 'Create the v5 cluster over the prepared v4 volumes, keep the passwords, follow it until it runs',
    positionals: { cluster: { type: 'string', describe: "Name of the v4 cluster (with -f: the v4 cluster whose passwords to keep; default: the manifest's name)" } },
    flags: {
        filename: { alias: 'f', type: 'string', describe: 'Apply this manifest (a file, or - for stdin) instead of generating one' },
        ...manifestFlags,
        ...confirmFlags,
        wait: { type: 'boolean', default: true, describe: 'Follow the operator until the cluster runs, then remove spec.dataSource.volumes (--no-wait to stop after creating it)' },
        timeout: timeoutFlag('15m', 'How long to wait for the operator at each step'),
        'keep-passwords': {
            type: 'boolean',
            default: true,
            describe: 'Copy the v4 user passwords into the v5 user Secrets, in the cluster (--no-keep-passwords to let v5 make new ones)',
        },
    },
    examples: [
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
        checkManifestFlags(a);
    },
    async run(args, { io, connect }) {
        // A manifest file is read and checked before the connection is made.
        const fromFile = args.filename ? await manifestFromFile(args.filename, io.stdin, { namespace: args.namespace, cluster: args.cluster }) : null;
        const { client, namespace } = connect();
        const apis = await discover(client);
        let manifest: V5Cluster;
        let flavor: Flavor;
        if (fromFile) {
            flavor = fromFile.flavor;
            const m = fromFile.manifest;
            const v4 = args.cluster ?? m.metadata.annotations?.[SOURCE_ANNOTATION] ?? m.metadata.name;
            // This tool creates the cluster: it says from which v4 cluster, so a re-run recognises it as its own.
            manifest = { ...m, metadata: { ...m.metadata, namespace: m.metadata.namespace ?? namespace, annotations: { ...m.metadata.annotations, [SOURCE_ANNOTATION]: v4 } } };
        } else {
            const target = chooseTarget(args.target, apis.v5);
            const generated = await generateFromFlags(client, io, { namespace, cluster: args.cluster ?? '', target, v4Served: apis.v4 }, args);
            manifest = generated.manifest;
            flavor = target.flavor;
        }
        if (!apis.v5[flavor.name]) throw new UserError(`the server does not serve ${flavor.kind} (${apiVersionOf(flavor)}): install ${flavor.product} first`);
        const v4Cluster = manifest.metadata.annotations?.[SOURCE_ANNOTATION] ?? args.cluster ?? manifest.metadata.name;
        const dryRun = dryRunOf(args);
        const procedure = applyCluster(client, flavor, manifest, v4Cluster, apis.v4, { keepPasswords: args.keepPasswords, wait: args.wait, preview: dryRun === 'client' });
        const outcome = await runProcedure(procedure, { io, yes: args.yes, dryRun, output: args.output, timeoutMs: args.timeout, pollMs: 500 });
        if (outcome === 'done' && dryRun === 'none' && args.wait) {
            const name = manifest.metadata.name;
            const ns = manifest.metadata.namespace;
            io.stderr.write(
                `\n${flavor.kind} ${name} runs on the v4 volumes. Next:\n` +
                    `  - before ever deleting ${flavor.kind} ${name} (a rollback), shut it down and run: kubectl ivyo-upgrade release-pvc --all --cluster ${name} -n ${ns} (it owns the adopted PVCs: deleting it would delete them)\n` +
                    `  - take a first v5 backup (spec.backups.pgbackrest.manual, then annotate ${flavor.labelPrefix}pgbackrest-backup)\n`,
            );
        }
    },
});
