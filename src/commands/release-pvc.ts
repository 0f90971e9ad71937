import { UsageError } from '../errors.js';
import { discover } from '../kube/discovery.js';
import { runProcedure } from '../plan/execute.js';
import { releasePvcs, resolveRelease } from '../plan/release-procedure.js';
import { checkPlanOutput, confirmFlags, dryRunOf, targetFlag } from './global.js';
import { defineCommand } from './spec.js';

export const releasePvcCommand = defineCommand({
    usage: 'release-pvc [pvc]',
    describe: 'Release PVCs from the v5 cluster that adopted them, so deleting that cluster does not delete them',
    positionals: { pvc: { type: 'string', describe: 'The PVC to release' } },
    flags: {
        cluster: { type: 'string', describe: 'The v5 cluster that owns it (checked; required with --all)' },
        all: { type: 'boolean', default: false, describe: 'Every PVC the cluster adopted or labels as its own' },
        target: targetFlag('Only when both an IvoryCluster and a PostgresCluster have that name'),
        ...confirmFlags,
    },
    examples: [
        ['$0 release-pvc hippo-pgbr-repo -n pgo', 'Keep the v4 backups if the v5 cluster is deleted (rollback)'],
        ['$0 release-pvc --all --cluster hippo -n pgo --dry-run=client', 'What releasing every adopted PVC would do'],
    ],
    permissions: 'release-pvc',
    completes: { positional: 'pvcs', flags: { cluster: 'v5Clusters' } },
    validate(a) {
        checkPlanOutput(a);
        if (a.all && a.pvc) throw new UsageError('name a PVC or pass --all, not both');
        if (a.all && !a.cluster) throw new UsageError('--all needs --cluster NAME');
        if (!a.all && !a.pvc) throw new UsageError('name the PVC to release, or pass --all --cluster NAME');
    },
    async run(args, { io, connect }) {
        const { client, namespace } = connect();
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
        const dryRun = dryRunOf(args);
        const outcome = await runProcedure(releasePvcs(client, namespace, target), { io, yes: args.yes, dryRun, output: args.output, timeoutMs: 0 });
        if (outcome === 'done' && dryRun === 'none') {
            io.stderr.write(`\nReleased: deleting ${target.flavor.kind} ${target.clusterName} now leaves ${target.pvcs.join(', ')} and their PVs in place.\n`);
        }
    },
});
