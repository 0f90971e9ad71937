import type { Options, PositionalOptions } from 'yargs';
import { UsageError } from './errors.js';
import { globalFlags } from './commands/global.js';
import { ABOUT, COMMAND_SPECS } from './commands/index.js';
import { commandName, type AnyCommandSpec } from './commands/spec.js';
import { asked, type HelpTable } from './quick.js';
import { permissionsHelp } from './rbac.js';
import { VERSION } from './version.js';

/*
 * --help and --version, answered from the commands' declarations without loading yargs or the Kubernetes client:
 * most of the start-up time of a run is loading those (docs/performance.md). The text follows kubectl's help:
 * description, examples, flags with their defaults (a description on its own tab-indented line), usage.
 */

const PROGRAM = 'kubectl ivyo-upgrade';

/** Global flags that take a value: the word after one of them is that value, not the command. */
const VALUED = new Set(
    Object.entries(globalFlags)
        .filter(([, o]) => !('type' in o) || o.type !== 'boolean')
        .flatMap(([name, o]) => [`--${name}`, ...('alias' in o ? [`-${o.alias}`] : [])]),
);

/** The answer to `--version` or `--help`/`-h` (before any `--`), or null when the command line asks neither. */
export function quickAnswer(argv: string[]): string | null {
    const a = asked(argv, VALUED);
    if (!a) return null;
    if ('version' in a) return `${VERSION}\n`;
    if (a.help === null) return helpText(undefined);
    const spec = COMMAND_SPECS.find((s) => commandName(s) === a.help);
    if (!spec) throw new UsageError(`unknown command "${a.help}": the commands are ${COMMAND_SPECS.map(commandName).join(', ')}`);
    return helpText(spec);
}

/** Every help text, for the build to put into the executable (quick.ts). */
export function helpTable(): HelpTable {
    return {
        root: helpText(undefined),
        commands: Object.fromEntries(COMMAND_SPECS.map((s) => [commandName(s), helpText(s)])),
        valued: [...VALUED],
    };
}

function helpText(spec: AnyCommandSpec | undefined): string {
    const sections = spec ? commandHelp(spec) : rootHelp();
    return `${sections.filter((s) => s !== '').join('\n\n')}\n`;
}

function rootHelp(): string[] {
    const width = Math.max(...COMMAND_SPECS.map((s) => commandName(s).length));
    return [
        ABOUT,
        `Commands:\n${COMMAND_SPECS.map((s) => `  ${commandName(s).padEnd(width)}  ${s.describe}`).join('\n')}`,
        `Flags:\n${flagsText(EVERYWHERE)}`,
        `Usage:\n  ${PROGRAM} <command> [flags]`,
        `Use "${PROGRAM} <command> --help" for more information about a command.`,
    ];
}

/** The flags every command takes: the global ones, --version and --help. */
const EVERYWHERE = {
    ...globalFlags,
    version: { type: 'boolean', describe: 'Print the version and exit' },
    help: { alias: 'h', type: 'boolean', describe: 'Print the help of the command given, or of the tool' },
} as const satisfies Record<string, Options>;

function commandHelp(spec: AnyCommandSpec): string[] {
    const example = ([command, meaning]: [string, string]) => `  # ${meaning}\n  ${command.replace('$0', PROGRAM)}`;
    const positionals = Object.entries(spec.positionals);
    return [
        spec.describe,
        spec.examples.length > 0 ? `Examples:\n${spec.examples.map(example).join('\n\n')}` : '',
        positionals.length > 0 ? `Arguments:\n${positionals.map(([name, o]) => flagText(name, o, true)).join('\n\n')}` : '',
        Object.keys(spec.flags).length > 0 ? `Options:\n${flagsText(spec.flags)}` : '',
        `Global flags:\n${flagsText(EVERYWHERE)}`,
        spec.epilogue ?? '',
        spec.permissions ? permissionsHelp(spec.permissions) : '',
        `Usage:\n  ${PROGRAM} ${spec.usage} [flags]`,
    ];
}

function flagsText(flags: Record<string, Options>): string {
    return Object.entries(flags)
        .map(([name, o]) => flagText(name, o, false))
        .join('\n\n');
}

/** `    -n, --namespace='':` then the description, as kubectl prints a flag; an argument by its name alone. */
function flagText(name: string, o: Options | PositionalOptions, positional: boolean): string {
    const alias = 'alias' in o && typeof o.alias === 'string' ? `-${o.alias}, ` : '';
    const value = o.type === 'boolean' ? `=${String(o.default ?? false)}` : o.default !== undefined ? `='${String(o.default)}'` : '';
    const head = positional ? name : `${alias}--${name}${value}`;
    const notes = [Array.isArray(o.choices) ? `one of: ${o.choices.join(', ')}` : '', o.demandOption ? 'required' : ''].filter(Boolean);
    return `    ${head}:\n\t${o.describe ?? ''}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}
