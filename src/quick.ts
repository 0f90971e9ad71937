import { VERSION } from './version.js';

/**
 * What a command line asks of --help and --version: `--help`/`-h` (with the command it names, the first word that
 * is neither a flag nor a global flag's value; none for the tool's own help), or `--version`, before any `--`.
 */
export type Asked = { help: string | null } | { version: true } | null;

export function asked(argv: string[], valued: ReadonlySet<string>): Asked {
    const words = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
    if (words.includes('--help') || words.includes('-h')) {
        for (let i = 0; i < words.length; i++) {
            const word = words[i] ?? '';
            if (!word.startsWith('-')) return { help: word };
            if (valued.has(word)) i++;
        }
        return { help: null };
    }
    return words.includes('--version') ? { version: true } : null;
}

/** The help texts help.ts renders, rendered once by the build (scripts/bundle.mjs): they depend on nothing at run time. */
export interface HelpTable {
    root: string;
    commands: Record<string, string>;
    /** The global flags that take a value. */
    valued: string[];
}

// Defined by the build only; absent when the sources run as they are (tests), where main() renders the help.
declare const __HELP__: HelpTable | undefined;

/**
 * The answer to --version, or to --help from the build's texts, without loading anything else; null when
 * main() must answer: anything else, help for an unknown command (a usage error), and a line with --context (whose
 * value main() adds to every command the help suggests).
 */
export function prebuiltAnswer(argv: string[]): string | null {
    const table = typeof __HELP__ === 'undefined' ? undefined : __HELP__;
    const a = asked(argv, new Set(table?.valued ?? []));
    if (a && 'version' in a) return `${VERSION}\n`;
    if (!a || !table || argv.some((w) => w === '--context' || w.startsWith('--context='))) return null;
    return a.help === null ? table.root : (table.commands[a.help] ?? null);
}
