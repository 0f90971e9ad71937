import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError, UserError } from '../errors.js';
import type { Io } from '../io.js';
import { discover, type ServedApis } from '../kube/discovery.js';
import { isNotFound } from '../kube/errors.js';
import type { Inspection } from '../v4/inspection.js';
import { inspectCluster, type TargetChoice } from '../v4/model.js';
import { getPgcluster, observe } from '../v4/observe.js';
import { FLAVORS, type FlavorName } from '../v5/flavors.js';
import { serialize } from '../output/format.js';
import { inspectionTable, inspectionsTable } from '../output/inspect-table.js';
import { connect, type GlobalFlags } from './global.js';

type InspectFlags = GlobalFlags & { cluster: string | undefined; 'all-namespaces': boolean; target: FlavorName | undefined };
type InspectArgs = ArgumentsCamelCase<InspectFlags>;

function builder(y: Argv<GlobalFlags>): Argv<InspectFlags> {
    return y
                .positional('cluster', { type: 'string', describe: 'Name of the v4 pgcluster (omit to list every cluster)' })
                .option('all-namespaces', { alias: 'A', type: 'boolean', default: false, describe: 'Every v4 cluster in every namespace, one row each' })
                .option('target', { choices: ['ivyo', 'pgo'] as const, describe: 'The v5 operator to move to (default: ivyo, or the only one installed)' })
                .example('$0 inspect hippo -n pgo', 'Report on cluster hippo in namespace pgo')
                .example('$0 inspect hippo -o json | jq .methods.volumes', 'Is the data-volumes method ready?')
                .example('$0 inspect hippo --target pgo', 'Judge the move to Crunchy PGO v5 instead of IVYO')
                .example('$0 inspect -A', 'Every v4 cluster in every namespace, with its verdicts');
}

export function inspectCommand(io: Io): CommandModule<GlobalFlags, InspectFlags> {
    return {
        command: 'inspect [cluster]',
        describe: 'Read a PGO v4 cluster and report what each upgrade method needs',
        builder,
        handler: async (args) => runInspect(args, io),
    };
}

export function chooseTarget(flag: FlavorName | undefined, served: ServedApis['v5']): TargetChoice {
    if (flag) return { flavor: FLAVORS[flag], installed: served[flag], selectedBy: 'flag' };
    if (served.pgo && !served.ivyo) return { flavor: FLAVORS.pgo, installed: true, selectedBy: 'only-installed' };
    if (served.ivyo && !served.pgo) return { flavor: FLAVORS.ivyo, installed: true, selectedBy: 'only-installed' };
    return { flavor: FLAVORS.ivyo, installed: served.ivyo, selectedBy: 'default' };
}

async function runInspect(args: InspectArgs, io: Io): Promise<void> {
    if (args.allNamespaces && args.cluster) {
        throw new UsageError('a cluster cannot be named together with --all-namespaces: drop one of them');
    }
    const { client, namespace, contextName } = connect(args, io);
    const apis = await discover(client);
    if (!apis.v4) {
        throw new UserError(
            `the server does not serve pgclusters.crunchydata.com/v1: the PGO v4 CRDs are not installed, or context "${contextName}" points at another cluster`,
        );
    }
    const target = chooseTarget(args.target, apis.v5);

    if (args.cluster) {
        const pgcluster = await getPgcluster(client, namespace, args.cluster).catch((e: unknown) => {
            if (isNotFound(e)) {
                throw new UserError(
                    `pgcluster "${args.cluster}" not found in namespace "${namespace}": pass -n NAMESPACE, or "kubectl ivyo-upgrade inspect -A" to list the v4 clusters of every namespace`,
                );
            }
            throw e;
        });
        const snapshot = await observe(client, { namespace, cluster: args.cluster }, [pgcluster]);
        const inspection = inspectCluster(snapshot, pgcluster, target);
        io.stdout.write(args.output === 'table' ? inspectionTable(inspection) : serialize(inspection, args.output));
        return;
    }

    const scope = { namespace: args.allNamespaces ? null : namespace };
    const snapshot = await observe(client, scope);
    const items: Inspection[] = snapshot.pgclusters
        .map((c) => inspectCluster(snapshot, c, target))
        .sort((a, b) => a.cluster.namespace.localeCompare(b.cluster.namespace) || a.cluster.name.localeCompare(b.cluster.name));
    if (args.output !== 'table') {
        io.stdout.write(serialize({ items }, args.output));
    } else if (items.length === 0) {
        io.stderr.write(args.allNamespaces ? 'No v4 clusters found in any namespace.\n' : `No v4 clusters found in namespace ${namespace}.\n`);
    } else {
        io.stdout.write(inspectionsTable(items, args.allNamespaces));
    }
}
