import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError, UserError } from '../errors.js';
import { SOURCE_ANNOTATION } from '../v5/manifest.js';
import { manifestFromFile } from '../v5/manifest-file.js';
import type { Io } from '../io.js';
import { permissionsHelp } from '../rbac.js';
import { discover } from '../kube/discovery.js';
import { applyVolumes } from '../plan/apply-procedure.js';
import { runProcedure } from '../plan/execute.js';
import type { V5Cluster } from '../v5/cluster.js';
import { apiVersionOf, type Flavor } from '../targets/flavors.js';
import { checkManifestFlags, generateFromFlags, manifestFlags, type ManifestFlags } from './generate.js';
import { checkPlanOutput, confirmFlags, connect, dryRunOf, timeoutFlag, type ConfirmFlags, type GlobalFlags } from './global.js';
import { chooseTarget } from '../targets/choice.js';

type ApplyFlags = GlobalFlags & ManifestFlags & ConfirmFlags & {
    cluster: string | undefined;
    filename: string | undefined;
    wait: boolean;
    timeout: number;
    'keep-passwords': boolean;
};

function builder(y: Argv<GlobalFlags>): Argv<ApplyFlags> {
    return y
        .positional('cluster', { type: 'string', describe: 'Name of the v4 cluster (with -f: the v4 cluster whose passwords to keep; default: the manifest\'s name)' })
        .option('filename', { alias: 'f', type: 'string', describe: 'Apply this manifest (a file, or - for stdin) instead of generating one' })
        .options(manifestFlags)
        .options(confirmFlags)
        .option('wait', { type: 'boolean', default: true, describe: 'Follow the operator until the cluster runs, then remove spec.dataSource.volumes (--no-wait to stop after creating it)' })
        .option('timeout', timeoutFlag('15m', 'How long to wait for the operator at each step'))
        .option('keep-passwords', { type: 'boolean', default: true, describe: 'Copy the v4 user passwords into the v5 user Secrets, in the cluster (--no-keep-passwords to let v5 make new ones)' })
        .check(checkPlanOutput)
        .check((a) => {
            if (!a.cluster && !a.filename) throw new UsageError('name the v4 cluster, or pass -f with a manifest');
            return checkManifestFlags(a);
        })
        .example('$0 apply hippo -n pgo --target pgo', 'Generate, create the PostgresCluster, follow it until it runs')
        .example('$0 generate hippo > hippo.yaml && $0 apply -f hippo.yaml', 'Apply a reviewed manifest')
        .example('$0 apply hippo --dry-run=server --yes', 'Let the server check every write, persisting nothing')
        .epilogue(permissionsHelp('apply')) as unknown as Argv<ApplyFlags>;
}

export function applyCommand(io: Io): CommandModule<GlobalFlags, ApplyFlags> {
    return {
        command: 'apply [cluster]',
        describe: 'Create the v5 cluster over the prepared v4 volumes, keep the passwords, follow it until it runs',
        builder,
        handler: async (args) => runApply(args, io),
    };
}

async function runApply(args: ArgumentsCamelCase<ApplyFlags>, io: Io): Promise<void> {
    const timeoutMs = args.timeout;
    const fromFile = args.filename ? manifestFromFile(args.filename, { namespace: args.namespace, cluster: args.cluster }) : null;
    const { client, namespace } = connect(args, io);
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
        const generated = await generateFromFlags(client, io, { namespace, cluster: args.cluster!, target, v4Served: apis.v4 }, args);
        manifest = generated.manifest as unknown as V5Cluster;
        flavor = target.flavor;
    }
    if (!apis.v5[flavor.name]) throw new UserError(`the server does not serve ${flavor.kind} (${apiVersionOf(flavor)}): install ${flavor.product} first`);
    const v4Cluster = manifest.metadata.annotations?.[SOURCE_ANNOTATION] ?? args.cluster ?? manifest.metadata.name;
    const procedure = applyVolumes(client, flavor, manifest, v4Cluster, apis.v4, { keepPasswords: args.keepPasswords, wait: args.wait, preview: dryRunOf(args) === 'client' });
    const outcome = await runProcedure(procedure, { io, yes: args.yes, dryRun: dryRunOf(args), output: args.output, timeoutMs, pollMs: 500 });
    if (outcome === 'done' && dryRunOf(args) === 'none' && args.wait) {
        const name = manifest.metadata.name;
        const ns = manifest.metadata.namespace;
        io.stderr.write(
            `\n${flavor.kind} ${name} runs on the v4 volumes. Next:\n` +
                `  - before ever deleting ${flavor.kind} ${name} (a rollback), shut it down and run: kubectl ivyo-upgrade release-pvc --all --cluster ${name} -n ${ns} (it owns the adopted PVCs: deleting it would delete them)\n` +
                `  - take a first v5 backup (spec.backups.pgbackrest.manual, then annotate ${flavor.labelPrefix}pgbackrest-backup)\n`,
        );
    }
}
