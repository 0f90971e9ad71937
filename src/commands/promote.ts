import { UsageError } from '../errors.js';
import { discover, v4NotServed, v5NotServed } from '../kube/discovery.js';
import { runProcedure } from '../plan/execute.js';
import { promoteStandby } from '../plan/promote.js';
import { PROMOTED_MARK } from '../v4/names.js';
import { replicationRoleSql } from '../v5/replay.js';
import { readPromoteState } from '../v5/promote-state.js';
import { chooseTarget } from '../targets/choice.js';
import { logicalName } from '../targets/names.js';
import { checkPlanOutput, confirmFlags, dryRunOf, targetFlag, timeoutFlag } from './global.js';
import { defineCommand } from './spec.js';

export const promoteCommand = defineCommand({
    usage: 'promote <cluster>',
    describe: "Method 3's cut-over: shut the v4 cluster down the v4 way, prove its v5 standby replayed v4's last WAL, promote the standby",
    positionals: { cluster: { type: 'string', demandOption: true, describe: 'Name of the v4 pgcluster' } },
    flags: {
        name: { type: 'string', describe: 'Name of the v5 standby (default: <cluster>-v5, as generate names it)' },
        'confirm-replayed': {
            type: 'boolean',
            default: false,
            describe: "Where promote cannot read the standby's replay (it says so, and how to check): you checked it replayed v4's last archived WAL; promote it",
        },
        target: targetFlag('pgo (the default here): IVYO cannot run v4 data'),
        ...confirmFlags,
        timeout: timeoutFlag('10m', 'How long to wait for the v4 operator to shut v4 down'),
    },
    examples: [
        ['$0 promote hippo -n pgo', "Shut v4 down the v4 way, prove hippo-v5 replayed v4's last archived WAL, promote it"],
        ['$0 promote hippo -n pgo --confirm-replayed', 'Where promote could not read the replay and you checked it: promote hippo-v5'],
        ['$0 promote hippo -n pgo --dry-run', 'Show the plan'],
    ],
    permissions: 'promote',
    completes: { positional: 'v4Clusters' },
    validate(a) {
        checkPlanOutput(a);
        if (a.target === 'ivyo') throw new UsageError('promote ends method 3, for --target pgo: IVYO cannot run v4 data (a logical move ends with "cutover")');
    },
    async run(args, { io, connect }) {
        const { client, namespace, contextName } = connect();
        const apis = await discover(client);
        if (!apis.v4) throw v4NotServed(contextName);
        const { flavor } = chooseTarget('pgo', apis.v5);
        if (!apis.v5[flavor.name]) throw v5NotServed(flavor, contextName);
        const v5Name = args.name ?? logicalName(args.cluster);
        const dryRun = dryRunOf(args);
        const procedure = promoteStandby(client, flavor, namespace, args.cluster, v5Name, { confirmReplayed: args.confirmReplayed });
        const outcome = await runProcedure(procedure, { io, yes: args.yes, dryRun, output: args.output, timeoutMs: args.timeout, reads: client });
        if (outcome === 'planned' || dryRun !== 'none') return;
        const after = await readPromoteState(client, flavor, namespace, args.cluster, v5Name);
        const role = after.role;
        const here = `-n ${namespace}`;
        io.stderr.write(`\n${flavor.kind} ${v5Name} is promoted; v4 cluster ${args.cluster} stays shut down (annotated ${PROMOTED_MARK}). Left to you:\n`);
        if (!(role && 'ready' in role && role.ready)) {
            const primary = `$(kubectl get pods ${here} -l ${flavor.labelPrefix}cluster=${v5Name},${flavor.labelPrefix}role=master -o name)`;
            const why = role && 'unreadable' in role ? role.unreadable : 'not read';
            io.stderr.write(
                `  - the replication role ${flavor.replicationUser}, which promote could not check (${why}): Patroni makes it only when a cluster bootstraps (CrunchyData/postgres-operator#3087). Once ${v5Name} takes writes:\n` +
                    `    kubectl exec ${here} ${primary} -c database -- psql -v ON_ERROR_STOP=1 <<'SQL'\n${replicationRoleSql(flavor.replicationUser)}\nSQL\n`,
            );
        }
        io.stderr.write(`  - the backup schedules generate's carry report named: ${v5Name}'s repository is its own from now on\n`);
    },
});
