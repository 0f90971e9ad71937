import yargs, { type Argv } from 'yargs';
import { UsageError, UserError } from './errors.js';
import type { Io } from './io.js';
import { globalFlags, type GlobalFlags } from './commands/global.js';
import { COMMAND_SPECS } from './commands/index.js';
import { toYargs } from './commands/spec.js';

/** The yargs root. Commands are registered one by one (no commandDir: it cannot work in a bundle). */
export function buildCli(io: Io): Argv<GlobalFlags> {
    return (
        yargs()
            .options(globalFlags)
            .scriptName('kubectl ivyo-upgrade')
            .command(COMMAND_SPECS.map((spec) => toYargs(spec, io)))
            .demandCommand(1, 'a command is required: see "kubectl ivyo-upgrade --help"')
            .recommendCommands()
            .strict()
            .strictCommands()
            // --help and --version are answered before yargs is loaded (help.ts).
            .version(false)
            .help(false)
            .wrap(null)
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
            })
    );
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
