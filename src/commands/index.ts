import type { CliModel } from '../completion.js';
import { applyCommand } from './apply.js';
import { completionCommand } from './completion.js';
import { cutoverCommand } from './cutover.js';
import { generateCommand } from './generate.js';
import { inspectCommand } from './inspect.js';
import { prepareCommand } from './prepare.js';
import { promoteCommand } from './promote.js';
import { releasePvcCommand } from './release-pvc.js';
import { commandName, flagModels, rootFlagModels, type AnyCommandSpec } from './spec.js';

/** What the tool is, as the root's help says it. */
export const ABOUT =
    'Move a PostgreSQL cluster run by Crunchy PGO v4 onto IVYO (IvoryCluster) or Crunchy PGO v5 (PostgresCluster).\nFlags go after the plugin name: kubectl ivyo-upgrade -n NAMESPACE ...';

/** Every command, in the order help lists them. */
export const COMMAND_SPECS: AnyCommandSpec[] = [
    inspectCommand,
    prepareCommand,
    generateCommand,
    applyCommand,
    promoteCommand,
    cutoverCommand,
    releasePvcCommand,
    completionCommand,
];

/** The subcommands, for messages that point at their help. */
export const COMMANDS = COMMAND_SPECS.map(commandName);

/** The CLI as completion sees it, from the same declarations yargs is built from. */
export function cliModel(): CliModel {
    return {
        rootFlags: rootFlagModels(),
        commands: COMMAND_SPECS.map((spec) => ({ name: commandName(spec), flags: flagModels(spec), positional: spec.completes?.positional })),
    };
}
