import { UserError } from '../errors.js';
import { discover, v5NotServed } from '../kube/discovery.js';
import { orAbsent } from '../kube/errors.js';
import { paths } from '../kube/paths.js';
import { renderClientChanges, showResult } from '../output/client-changes.js';
import { logicalJobName } from '../v5/logical-job.js';
import { runProcedure } from '../plan/execute.js';
import { cutover } from '../plan/logical-procedure.js';
import { chooseTarget } from '../targets/choice.js';
import { logicalName } from '../targets/names.js';
import type { V5Cluster } from '../v5/cluster.js';
import { checkManifestFlags } from './generate.js';
import { confirmFlags, dryRunOf, targetFlag, timeoutFlag } from './global.js';
import { defineCommand } from './spec.js';

export const cutoverCommand = defineCommand({
    usage: 'cutover <cluster>',
    describe: "Logical move by replication: stop v4's writes, let v5 replay the rest, end the replication, print what clients change",
    positionals: { cluster: { type: 'string', demandOption: true, describe: 'Name of the v4 pgcluster' } },
    flags: {
        name: { type: 'string', describe: 'Name of the v5 cluster that replicates v4 (default: <cluster>-v5)' },
        target: targetFlag('The v5 operator of that cluster (default: ivyo, or the only one installed)'),
        undo: { type: 'boolean', default: false, describe: "Give v4's application roles their logins back (after a cut-over, to go back to v4)" },
        ...confirmFlags,
        timeout: timeoutFlag('10m', 'How long to wait for the cut-over Job'),
    },
    examples: [
        ['$0 cutover hippo -n pgo', 'Stop writes on v4, wait until hippo-v5 has every row, end the replication'],
        ['$0 cutover hippo -n pgo --dry-run', 'Show the plan'],
        ['$0 cutover hippo -n pgo --undo', "Give v4's logins back"],
    ],
    permissions: 'cutover',
    completes: { positional: 'v4Clusters' },
    // -o shapes the plan (--dry-run) and, after the cut-over, the table of what clients change.
    validate: checkManifestFlags,
    async run(args, { io, connect }) {
        const { client, namespace, contextName } = connect();
        const apis = await discover(client);
        const { flavor } = chooseTarget(args.target, apis.v5);
        if (!apis.v5[flavor.name]) throw v5NotServed(flavor, contextName);
        const name = args.name ?? logicalName(args.cluster);
        const live = await orAbsent(client.get<V5Cluster>(paths.v5Cluster(flavor, namespace, name)));
        if (!live) {
            throw new UserError(
                `${flavor.kind} ${name} not found in namespace ${namespace}: run "kubectl ivyo-upgrade apply ${args.cluster} -n ${namespace} --method logical --copy replicate --target ${flavor.name}" first (or pass --name and --target)`,
            );
        }
        const manifest = { ...live, metadata: { ...live.metadata, namespace } };
        const dryRun = dryRunOf(args);
        const t = { client, flavor, manifest, v4Cluster: args.cluster, v4Served: apis.v4 };
        const outcome = await runProcedure(cutover(t, { undo: args.undo }), { io, yes: args.yes, dryRun, output: args.output, timeoutMs: args.timeout, reads: client });
        if (dryRun !== 'none' || outcome === 'planned') return;
        await showResult(io, client, namespace, logicalJobName(name, args.undo ? 'undo' : 'cutover'));
        if (args.undo) {
            io.stderr.write(`\nv4 cluster ${args.cluster} takes its application logins again.\n`);
            return;
        }
        io.stderr.write(
            `\n${flavor.kind} ${name} holds everything v4 wrote and takes writes; v4's application logins stay stopped ("cutover --undo" gives them back).\n` +
                `Point clients at ${name} (below). v4 keeps running until you decide to remove it: pgo delete cluster ${args.cluster} -n ${namespace} (add --keep-data to keep its volumes).\n`,
        );
        io.stdout.write(renderClientChanges({ manifest, v4Cluster: args.cluster, flavor }, args.output));
    },
});
