import yargs, { type Argv } from 'yargs';
import { UsageError } from './errors.js';
import type { Io } from './io.js';
import { VERSION } from './version.js';
import { globalFlags, type GlobalFlags } from './commands/global.js';
import { applyCommand } from './commands/apply.js';
import { completionCommand } from './commands/completion.js';
import { generateCommand } from './commands/generate.js';
import { inspectCommand } from './commands/inspect.js';
import { prepareCommand } from './commands/prepare.js';
import { releasePvcCommand } from './commands/release-pvc.js';

/** The yargs root. Commands are registered one by one (no commandDir: it cannot work in a bundle). */
export function buildCli(io: Io): Argv<GlobalFlags> {
    return yargs()
        .options(globalFlags)
        .scriptName('kubectl ivyo-upgrade')
        .usage(
            '$0 <command> [flags]\n\nMove a PostgreSQL cluster run by Crunchy PGO v4 onto IVYO (IvoryCluster) or Crunchy PGO v5 (PostgresCluster).\nFlags go after the plugin name: kubectl ivyo-upgrade -n NAMESPACE ...',
        )
        .command(inspectCommand(io))
        .command(prepareCommand(io))
        .command(generateCommand(io))
        .command(applyCommand(io))
        .command(releasePvcCommand(io))
        .command(completionCommand(io))
        .demandCommand(1, 'a command is required: see "kubectl ivyo-upgrade --help"')
        .recommendCommands()
        .strict()
        .version(VERSION)
        .alias('h', 'help')
        .wrap(Math.min(120, io.stdout.isTTY ? ((io.stdout as { columns?: number }).columns ?? 100) : 100))
        .exitProcess(false)
        .showHelpOnFail(false)
        .fail((msg, err) => {
            throw err ?? new UsageError(msg);
        });
}
