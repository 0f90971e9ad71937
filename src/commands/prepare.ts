import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { permissionsHelp } from '../rbac.js';
import { discover, v4NotServed } from '../kube/discovery.js';
import { runProcedure } from '../plan/execute.js';
import { prepareCluster } from '../plan/prepare-procedure.js';
import type { FlavorName } from '../targets/flavors.js';
import { checkPlanOutput, confirmFlags, connect, dryRunOf, timeoutFlag, type ConfirmFlags, type GlobalFlags } from './global.js';
import { chooseTarget } from '../targets/choice.js';

type PrepareFlags = GlobalFlags & ConfirmFlags & {
    cluster: string;
    method: 'volumes' | 'backups';
    'delete-data': boolean;
    'backup-type': 'full' | 'diff' | 'incr';
    target: FlavorName | undefined;
    timeout: number;
    'delete-replica-data': boolean;
    'keep-v4-labels': boolean;
};

function builder(y: Argv<GlobalFlags>): Argv<PrepareFlags> {
    return y
        .positional('cluster', { type: 'string', demandOption: true, describe: 'Name of the v4 pgcluster' })
        .option('method', { choices: ['volumes', 'backups'] as const, demandOption: true, describe: 'Upgrade method to prepare for' })
        .option('backup-type', { choices: ['full', 'diff', 'incr'] as const, default: 'full' as const, describe: 'backups: the pgBackRest backup to take before deleting v4' })
        .option('delete-data', { type: 'boolean', default: false, describe: 'backups: let v4 delete the data PVCs with the cluster (the guide does; kept by default)' })
        .option('target', { choices: ['ivyo', 'pgo'] as const, describe: 'The v5 operator (for the record generate reads)' })
        .options(confirmFlags)
        .option('timeout', timeoutFlag('10m', 'How long to wait for the v4 operator at each step'))
        .option('delete-replica-data', { type: 'boolean', default: false, describe: "Let v4 delete the replicas' PVCs when scaling them down (pgo's default; off here)" })
        .option('keep-v4-labels', { type: 'boolean', default: false, describe: 'Leave the v4 labels pg-cluster and vendor on the reused PVCs' })
        .check(checkPlanOutput)
        .check((a) => {
            if (a.method === 'volumes' && a.deleteData) throw new UsageError('--delete-data goes with --method backups: the volumes method reuses the data PVCs');
            return true;
        })
        .example('$0 prepare hippo -n pgo --method volumes --dry-run=client', 'Show what would be done')
        .example('$0 prepare hippo -n pgo --method volumes', 'Do it, after a (y/N) confirmation')
        .example('$0 prepare hippo -n pgo --method volumes --yes --timeout 20m', 'Without asking (scripts)')
        .example('$0 prepare hippo -n pgo --method backups', 'Take a full backup, then delete v4 keeping backups and data')
        .epilogue(permissionsHelp('prepare')) as unknown as Argv<PrepareFlags>;
}

export function prepareCommand(io: Io): CommandModule<GlobalFlags, PrepareFlags> {
    return {
        command: 'prepare <cluster>',
        describe: 'Prepare a v4 cluster for an upgrade method: Retain its PVs, scale down replicas, delete the pgcluster keeping data and backups',
        builder,
        handler: async (args) => runPrepare(args, io),
    };
}

async function runPrepare(args: ArgumentsCamelCase<PrepareFlags>, io: Io): Promise<void> {
    const timeoutMs = args.timeout;
    const { client, namespace, contextName } = connect(args, io);
    const apis = await discover(client);
    if (!apis.v4) throw v4NotServed(contextName);
    const target = chooseTarget(args.target, apis.v5);
    const options = { method: args.method, deleteData: args.deleteData, backupType: args.backupType, deleteReplicaData: args.deleteReplicaData, keepV4Labels: args.keepV4Labels };
    const procedure = prepareCluster(client, namespace, args.cluster, target, options, (line) => io.stderr.write(`${line}\n`));
    const outcome = await runProcedure(procedure, { io, yes: args.yes, dryRun: dryRunOf(args), output: args.output, timeoutMs, pollMs: 500 });
    if (outcome === 'done' && dryRunOf(args) === 'none') {
        io.stderr.write(`\n${args.cluster} is prepared: ${args.deleteData ? 'its repository is kept' : 'its PVCs are kept'}, v4 is gone. Next:\n  kubectl ivyo-upgrade generate ${args.cluster} -n ${namespace}${args.method === 'backups' ? ' --method backups' : ''} --target ${target.flavor.name}\n`);
    }
}
