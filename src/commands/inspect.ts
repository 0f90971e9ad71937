import { UsageError, UserError } from '../errors.js';
import type { Io } from '../io.js';
import { discover, v4NotServed } from '../kube/discovery.js';
import { orAbsent } from '../kube/errors.js';
import type { Inspection } from '../v4/inspection.js';
import { chooseTarget, type TargetChoice } from '../targets/choice.js';
import { inspectCluster, retarget } from '../v4/model.js';
import { readPrepared, recordName } from '../v4/record.js';
import { liveCollisions } from '../v4/source.js';
import { getPgcluster, observe } from '../v4/observe.js';
import { serialize, type OutputFormat } from '../output/format.js';
import { inspectionTable, inspectionsTable } from '../output/inspect-table.js';
import { renderTable } from '../output/table.js';
import type { KubeClient } from '../kube/client.js';
import { permissionReport, rbacText } from '../rbac.js';
import { targetFlag } from './global.js';
import { defineCommand } from './spec.js';

export const inspectCommand = defineCommand({
    usage: 'inspect [cluster]',
    describe: 'Read a PGO v4 cluster and report what each upgrade method needs',
    positionals: { cluster: { type: 'string', describe: 'Name of the v4 pgcluster (omit to list every cluster)' } },
    flags: {
        'all-namespaces': { alias: 'A', type: 'boolean', default: false, describe: 'Every v4 cluster in every namespace, one row each' },
        target: targetFlag('The v5 operator to move to (default: ivyo, or the only one installed)'),
        'check-permissions': {
            type: 'boolean',
            default: false,
            describe: 'Instead of inspecting, ask the server (SelfSubjectAccessReview) which permissions of each command you lack here',
        },
        'print-rbac': {
            type: 'boolean',
            default: false,
            describe: 'Instead of inspecting, print the ClusterRoles every command needs (YAML, or a JSON List with -o json); no cluster is read',
        },
    },
    examples: [
        ['$0 inspect hippo -n pgo', 'Report on cluster hippo in namespace pgo'],
        ['$0 inspect hippo -o json | jq .methods.volumes', 'Is the data-volumes method ready?'],
        ['$0 inspect hippo --target pgo', 'Judge the move to Crunchy PGO v5 instead of IVYO'],
        ['$0 inspect -A', 'Every v4 cluster in every namespace, with its verdicts'],
        ['$0 inspect --check-permissions -n pgo', 'What your account may not do in namespace pgo'],
        ['$0 inspect --print-rbac | kubectl apply -f -', 'Create the roles (then bind them)'],
    ],
    permissions: 'inspect',
    completes: { positional: 'v4Clusters' },
    validate(a) {
        if (a.allNamespaces && a.cluster) throw new UsageError('a cluster cannot be named together with --all-namespaces: drop one of them');
    },
    async run(args, { io, connect }) {
        if (args.printRbac) {
            io.stdout.write(rbacText(args.output === 'json' ? 'json' : 'yaml'));
            return;
        }
        const { client, namespace, contextName } = connect();
        if (args.checkPermissions) return checkPermissions(client, args.allNamespaces ? null : namespace, args.output, io);
        const apis = await discover(client);
        if (!apis.v4) throw v4NotServed(contextName);
        const target = chooseTarget(args.target, apis.v5);
        if (args.cluster) return inspectOne(client, namespace, args.cluster, target, args.output, io);
        return inspectMany(client, args.allNamespaces ? null : namespace, target, args.output, io);
    },
});

async function inspectOne(client: KubeClient, namespace: string, cluster: string, target: TargetChoice, output: OutputFormat, io: Io): Promise<void> {
    const pgcluster = await orAbsent(getPgcluster(client, namespace, cluster));
    if (!pgcluster) return inspectPrepared(client, namespace, cluster, target, output, io);
    const snapshot = await observe(client, { namespace, cluster }, [pgcluster]);
    const inspection = inspectCluster(snapshot, pgcluster, target);
    io.stdout.write(output === 'table' ? inspectionTable(inspection) : serialize(inspection, output));
}

/** Every v4 cluster of a namespace, or of every namespace (null). */
async function inspectMany(client: KubeClient, namespace: string | null, target: TargetChoice, output: OutputFormat, io: Io): Promise<void> {
    const snapshot = await observe(client, { namespace });
    const items: Inspection[] = snapshot.pgclusters
        .map((c) => inspectCluster(snapshot, c, target))
        .sort((a, b) => a.cluster.namespace.localeCompare(b.cluster.namespace) || a.cluster.name.localeCompare(b.cluster.name));
    if (output !== 'table') {
        io.stdout.write(serialize({ items }, output));
    } else if (items.length === 0) {
        io.stderr.write(namespace === null ? 'No v4 clusters found in any namespace.\n' : `No v4 clusters found in namespace ${namespace}.\n`);
    } else {
        io.stdout.write(inspectionsTable(items, namespace === null));
    }
}

/**
 * A cluster prepare has already taken down: v4 is gone, the record holds what generate needs. Reports the
 * recorded inspection, judged for today's target, and says what comes next.
 */
async function inspectPrepared(client: KubeClient, namespace: string, cluster: string, target: TargetChoice, output: OutputFormat, io: Io): Promise<void> {
    const prepared = await readPrepared(client, namespace, cluster);
    if (!prepared) {
        throw new UserError(
            `pgcluster "${cluster}" not found in namespace "${namespace}": pass -n NAMESPACE, or "kubectl ivyo-upgrade inspect -A" to list the v4 clusters of every namespace`,
        );
    }
    const inspection = retarget(prepared.inspection, target, await liveCollisions(client, namespace, cluster));
    const method = prepared.method ?? 'volumes';
    io.stderr.write(
        `pgcluster ${cluster} was prepared${prepared.method ? ` for the ${prepared.method} method` : ''}: v4 is gone, and ConfigMap ${recordName(cluster)} records it as it was (shown below). Next:\n` +
            `  kubectl ivyo-upgrade generate ${cluster} -n ${namespace}${method === 'volumes' ? '' : ` --method ${method}`} --target ${target.flavor.name}\n`,
    );
    io.stdout.write(output === 'table' ? inspectionTable(inspection) : serialize(inspection, output));
}

/** `--check-permissions`: every command's permissions, asked of the server; exit 1 when something is missing. */
async function checkPermissions(client: KubeClient, namespace: string | null, output: OutputFormat, io: Io): Promise<void> {
    const rows = await permissionReport(client, namespace);
    if (output === 'table') {
        io.stdout.write(
            renderTable(
                ['COMMAND', 'STATUS', 'RESOURCE'],
                rows.map((r) => [r.command, r.status, r.resource]),
            ),
        );
    } else {
        io.stdout.write(serialize({ items: rows }, output));
    }
    const where = namespace === null ? 'in every namespace' : `in namespace ${namespace}`;
    if (rows.some((r) => r.status !== 'ok')) {
        throw new UserError(`some permissions are missing ${where}: "kubectl ivyo-upgrade inspect --print-rbac" prints the roles to bind`);
    }
    io.stderr.write(`Every command has the permissions it needs ${where}.\n`);
}
