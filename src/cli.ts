import yargs, { type Argv } from 'yargs';
import { UsageError, UserError } from './errors.js';
import type { Io } from './io.js';
import { VERSION } from './version.js';
import { globalFlags, type GlobalFlags } from './commands/global.js';
import { applyCommand } from './commands/apply.js';
import { completionCommand } from './commands/completion.js';
import { generateCommand } from './commands/generate.js';
import { inspectCommand } from './commands/inspect.js';
import { prepareCommand } from './commands/prepare.js';
import { releasePvcCommand } from './commands/release-pvc.js';
import { cutoverCommand } from './commands/cutover.js';
import { promoteCommand } from './commands/promote.js';
import { commandName, flagModels, rootFlagModels, toYargs, type AnyCommandSpec } from './commands/spec.js';
import type { CliModel } from './completion.js';

/** Every command, in the order help lists them. */
const COMMAND_SPECS: AnyCommandSpec[] = [inspectCommand, prepareCommand, generateCommand, applyCommand, promoteCommand, cutoverCommand, releasePvcCommand, completionCommand];

/** The subcommands, for messages that point at their help. */
export const COMMANDS = COMMAND_SPECS.map(commandName);

/** The CLI as completion sees it, from the same declarations yargs is built from. */
export function cliModel(): CliModel {
    return {
        rootFlags: rootFlagModels(),
        commands: COMMAND_SPECS.map((spec) => ({ name: commandName(spec), flags: flagModels(spec), positional: spec.completes?.positional })),
    };
}

/** The yargs root. Commands are registered one by one (no commandDir: it cannot work in a bundle). */
export function buildCli(io: Io): Argv<GlobalFlags> {
    return yargs()
        .options(globalFlags)
        .scriptName('kubectl ivyo-upgrade')
        .usage(
            '$0 <command> [flags]\n\nMove a PostgreSQL cluster run by Crunchy PGO v4 onto IVYO (IvoryCluster) or Crunchy PGO v5 (PostgresCluster).\nFlags go after the plugin name: kubectl ivyo-upgrade -n NAMESPACE ...',
        )
        .command(COMMAND_SPECS.map((spec) => toYargs(spec, io)))
        .demandCommand(1, 'a command is required: see "kubectl ivyo-upgrade --help"')
        .recommendCommands()
        .strict()
        .strictCommands()
        .version(VERSION)
        .alias('h', 'help')
        .wrap(Math.min(120, io.stdout.isTTY ? (io.stdout.columns ?? 100) : 100))
        .exitProcess(false)
        .showHelpOnFail(false)
        .check((a) => {
            for (const flag of ['namespace', 'kubeconfig', 'context'] as const) {
                if (a[flag] === '') throw new UsageError(`--${flag}${flag === 'namespace' ? ' (-n)' : ''} needs a value`);
            }
            return true;
        }, true)
        .fail((msg, err) => {
            if (err instanceof UserError) throw err;
            // yargs reports a throwing coerce or check as its own error type, message kept.
            throw new UsageError(usageMessage(err?.message ?? msg));
        });
}

/** yargs' usage messages, said in this tool's words. */
export function usageMessage(msg: string): string {
    const invalid = /^Invalid values:\s*Argument: ([\w-]+), Given: "(.*)", Choices: (.*)$/s.exec(msg);
    if (invalid) {
        const choices = (invalid[3] ?? '').split(', ').map((c) => c.replace(/^"|"$/g, ''));
        return `--${invalid[1]} must be ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}, not "${invalid[2]}"`;
    }
    const missing = /^Missing required arguments?: (.*)$/.exec(msg);
    if (missing) {
        const names = (missing[1] ?? '').split(', ');
        const positional = names.filter((n) => POSITIONALS.includes(n));
        if (positional.length > 0) return `a ${positional[0]} name is required`;
        return `${names.map((n) => `--${n}`).join(', ')} ${names.length > 1 ? 'are' : 'is'} required`;
    }
    if (/^Not enough non-option arguments/.test(msg)) return 'a cluster name is required';
    const unknown = /^Unknown arguments?: (.*)$/.exec(msg);
    if (unknown) return `unknown flag or argument: ${unknown[1]}`;
    const command = /^Unknown command: (.*)$/.exec(msg);
    if (command) return `unknown command or extra argument "${command[1]}"`;
    return msg;
}

/** Positional arguments of the commands, named as the usage lines name them. */
const POSITIONALS = ['cluster', 'pvc'];
