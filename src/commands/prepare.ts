import { UsageError } from '../errors.js';
import { discover, v4NotServed } from '../kube/discovery.js';
import { runProcedure } from '../plan/execute.js';
import { prepareCluster } from '../plan/prepare-procedure.js';
import { preflight } from '../plan/logical-procedure.js';
import { preflightName } from '../v4/preflight-record.js';
import { chooseTarget } from '../targets/choice.js';
import { checkPlanOutput, confirmFlags, dryRunOf, targetFlag, timeoutFlag } from './global.js';
import { defineCommand } from './spec.js';

export const prepareCommand = defineCommand({
    usage: 'prepare <cluster>',
    describe:
        'Prepare a v4 cluster for an upgrade method: Retain its PVs, scale down replicas, delete the pgcluster keeping data and backups (standby: check and record v4; logical: read v4 through SQL; both changing nothing of v4)',
    positionals: { cluster: { type: 'string', demandOption: true, describe: 'Name of the v4 pgcluster' } },
    flags: {
        method: {
            choices: ['volumes', 'backups', 'standby', 'logical'] as const,
            demandOption: true,
            describe: 'Upgrade method to prepare for (logical: a Job reads databases, roles, wal_level and what replication cannot carry on v4, and prepare records it)',
        },
        'backup-type': { choices: ['full', 'diff', 'incr'] as const, default: 'full' as const, describe: 'backups: the pgBackRest backup to take before deleting v4' },
        'delete-data': { type: 'boolean', default: false, describe: 'backups: let v4 delete the data PVCs with the cluster (the guide does; kept by default)' },
        target: targetFlag('The v5 operator: prepare refuses one generate would refuse (IVYO cannot run v4 data)'),
        ...confirmFlags,
        timeout: timeoutFlag('10m', 'How long to wait for the v4 operator at each step'),
        'delete-replica-data': { type: 'boolean', default: false, describe: "Let v4 delete the replicas' PVCs when scaling them down (pgo's default; off here)" },
        'keep-v4-labels': { type: 'boolean', default: false, describe: 'Leave the v4 labels pg-cluster and vendor on the reused PVCs' },
    },
    examples: [
        ['$0 prepare hippo -n pgo --method logical', 'Read what decides a logical move on v4 (v4 keeps running, unchanged)'],
        ['$0 prepare hippo -n pgo --method volumes --target pgo --dry-run', 'Show what would be done'],
        ['$0 prepare hippo -n pgo --method volumes --target pgo', 'Do it, after a (y/N) confirmation'],
        ['$0 prepare hippo -n pgo --method volumes --target pgo --yes --timeout 20m', 'Without asking (scripts)'],
        ['$0 prepare hippo -n pgo --method backups --target pgo', 'Take a full backup, then delete v4 keeping backups and data'],
        ['$0 prepare hippo -n pgo --method standby --target pgo', 'Check and record v4 for a standby that follows its S3/GCS repository (v4 keeps running)'],
    ],
    permissions: 'prepare',
    completes: { positional: 'v4Clusters' },
    validate(a) {
        checkPlanOutput(a);
        if (a.method !== 'backups' && a.deleteData)
            throw new UsageError('--delete-data goes with --method backups: the volumes method reuses the data PVCs, and the logical move deletes nothing');
    },
    async run(args, { io, connect }) {
        const { client, namespace, contextName } = connect();
        const apis = await discover(client);
        if (!apis.v4) throw v4NotServed(contextName);
        const target = chooseTarget(args.target, apis.v5);
        const dryRun = dryRunOf(args);
        const run = { io, yes: args.yes, dryRun, output: args.output, timeoutMs: args.timeout, reads: client };
        if (args.method === 'logical') {
            const outcome = await runProcedure(preflight(client, namespace, args.cluster, target, apis.v4), run);
            if (outcome !== 'planned' && dryRun === 'none') {
                io.stderr.write(
                    `
v4 cluster ${args.cluster} is read (ConfigMap ${preflightName(args.cluster)}); nothing of it changed. Next:
` +
                        `  kubectl ivyo-upgrade inspect ${args.cluster} -n ${namespace} --target ${target.flavor.name}   (the logical verdict, with what was read)
` +
                        `  kubectl ivyo-upgrade apply ${args.cluster} -n ${namespace} --method logical --target ${target.flavor.name} [--copy replicate]
`,
                );
            }
            return;
        }
        const options = {
            method: args.method,
            deleteData: args.deleteData,
            backupType: args.backupType,
            deleteReplicaData: args.deleteReplicaData,
            keepV4Labels: args.keepV4Labels,
        };
        const procedure = prepareCluster(client, namespace, args.cluster, target, { ...options, method: args.method }, (line) => io.stderr.write(`${line}\n`));
        const outcome = await runProcedure(procedure, run);
        if (outcome !== 'planned' && dryRun === 'none' && args.method === 'standby') {
            io.stderr.write(
                `\nv4 cluster ${args.cluster} is checked and recorded; nothing of it changed. Next:\n  kubectl ivyo-upgrade apply ${args.cluster} -n ${namespace} --method standby --target ${target.flavor.name}   (generate shows the manifest first)\n`,
            );
            return;
        }
        if (outcome === 'done' && dryRun === 'none') {
            io.stderr.write(
                `\n${args.cluster} is prepared: ${args.deleteData ? 'its repository is kept' : 'its PVCs are kept'}, v4 is gone. Next:\n  kubectl ivyo-upgrade generate ${args.cluster} -n ${namespace}${args.method === 'backups' ? ' --method backups' : ''} --target ${target.flavor.name}\n`,
            );
        }
    },
});
