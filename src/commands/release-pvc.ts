import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { permissionsHelp } from '../rbac.js';
import { discover } from '../kube/discovery.js';
import { runProcedure } from '../plan/execute.js';
import { releasePvcs, resolveRelease } from '../plan/release-procedure.js';
import type { FlavorName } from '../targets/flavors.js';
import { checkPlanOutput, confirmFlags, connect, dryRunOf, type ConfirmFlags, type GlobalFlags } from './global.js';

type ReleaseFlags = GlobalFlags & ConfirmFlags & {
    pvc: string | undefined;
    cluster: string | undefined;
    all: boolean;
    target: FlavorName | undefined;
};

function builder(y: Argv<GlobalFlags>): Argv<ReleaseFlags> {
    return y
        .positional('pvc', { type: 'string', describe: 'The PVC to release' })
        .option('cluster', { type: 'string', describe: 'The v5 cluster that owns it (checked; required with --all)' })
        .option('all', { type: 'boolean', default: false, describe: 'Every PVC the cluster adopted or labels as its own' })
        .option('target', { choices: ['ivyo', 'pgo'] as const, describe: 'Only when both an IvoryCluster and a PostgresCluster have that name' })
        .options(confirmFlags)
        .check(checkPlanOutput)
        .check((a) => {
            if (a.all && a.pvc) throw new UsageError('name a PVC or pass --all, not both');
            if (a.all && !a.cluster) throw new UsageError('--all needs --cluster NAME');
            if (!a.all && !a.pvc) throw new UsageError('name the PVC to release, or pass --all --cluster NAME');
            return true;
        })
        .example('$0 release-pvc hippo-pgbr-repo -n pgo', 'Keep the v4 backups if the v5 cluster is deleted (rollback)')
        .example('$0 release-pvc --all --cluster hippo -n pgo --dry-run=client', 'What releasing every adopted PVC would do')
        .epilogue(permissionsHelp('release-pvc')) as unknown as Argv<ReleaseFlags>;
}

export function releasePvcCommand(io: Io): CommandModule<GlobalFlags, ReleaseFlags> {
    return {
        command: 'release-pvc [pvc]',
        describe: 'Release PVCs from the v5 cluster that adopted them, so deleting that cluster does not delete them',
        builder,
        handler: async (args) => runRelease(args, io),
    };
}

async function runRelease(args: ArgumentsCamelCase<ReleaseFlags>, io: Io): Promise<void> {
    const { client, namespace } = connect(args, io);
    const apis = await discover(client);
    const target = await resolveRelease(client, namespace, { pvc: args.pvc, cluster: args.cluster, all: args.all, target: args.target }, apis.v5);
    if (!target) {
        io.stderr.write(`Nothing to do: PVC ${args.pvc} is not adopted by any IvoryCluster or PostgresCluster.\n`);
        return;
    }
    if (target.pvcs.length === 0) {
        io.stderr.write(`Nothing to do: ${target.flavor.kind} ${target.clusterName} owns no PVC.\n`);
        return;
    }
    const outcome = await runProcedure(releasePvcs(client, namespace, target), { io, yes: args.yes, dryRun: dryRunOf(args), output: args.output, timeoutMs: 0, pollMs: 0 });
    if (outcome === 'done' && dryRunOf(args) === 'none') {
        io.stderr.write(`\nReleased: deleting ${target.flavor.kind} ${target.clusterName} now leaves ${target.pvcs.join(', ')} and their PVs in place.\n`);
    }
}
