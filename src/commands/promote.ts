import { UsageError } from '../errors.js';
import { discover, v4NotServed } from '../kube/discovery.js';
import { runProcedure } from '../plan/execute.js';
import { PROMOTED_MARK, promoteStandby } from '../plan/promote.js';
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
        const v5Name = args.name ?? logicalName(args.cluster);
        const dryRun = dryRunOf(args);
        const procedure = promoteStandby(client, flavor, namespace, args.cluster, v5Name, { confirmReplayed: args.confirmReplayed });
        const outcome = await runProcedure(procedure, { io, yes: args.yes, dryRun, output: args.output, timeoutMs: args.timeout, pollMs: 500 });
        if (outcome === 'planned' || dryRun !== 'none') return;
        const here = `-n ${namespace}`;
        const primary = `$(kubectl get pods ${here} -l ${flavor.labelPrefix}cluster=${v5Name},${flavor.labelPrefix}role=master -o name)`;
        const repl = flavor.replicationUser;
        io.stderr.write(
            `\n${flavor.kind} ${v5Name} is promoted; v4 cluster ${args.cluster} stays shut down (annotated ${PROMOTED_MARK}). Two steps are left to you:\n` +
                `  1. the replication role, which the operator makes only when a cluster bootstraps (CrunchyData/postgres-operator#3087), once ${v5Name} takes writes:\n` +
                `     kubectl exec ${here} ${primary} -c database -- psql -v ON_ERROR_STOP=1 -c "CREATE ROLE ${repl} WITH LOGIN REPLICATION" ` +
                `-c "GRANT EXECUTE ON function pg_catalog.pg_ls_dir(text, boolean, boolean) TO ${repl}" -c "GRANT EXECUTE ON function pg_catalog.pg_stat_file(text, boolean) TO ${repl}" ` +
                `-c "GRANT EXECUTE ON function pg_catalog.pg_read_binary_file(text) TO ${repl}" -c "GRANT EXECUTE ON function pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean) TO ${repl}"\n` +
                `  2. the backup schedules generate's carry report named: ${v5Name}'s repository is now its own\n`,
        );
    },
});
