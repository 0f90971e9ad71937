import { buildCli } from './cli.js';
import { cliModel, COMMANDS } from './commands/index.js';
import { quickAnswer } from './help.js';
import { ExitCode, UsageError, UserError } from './errors.js';
import type { Io } from './io.js';
import { runComplete } from './commands/completion.js';
import { explainKubeError } from './kube/errors.js';

/** Runs one command line; returns the exit code. All I/O goes through `io`, so tests call this directly. */
export async function main(argv: string[], given: Io): Promise<number> {
    const io = suggestingContext(given, contextFlag(argv));
    if (argv[0] === '__complete') {
        await runComplete(argv.slice(1), io, cliModel());
        return ExitCode.Ok;
    }
    const debug = argv.includes('--debug');
    try {
        const quick = quickAnswer(argv);
        if (quick !== null) io.stdout.write(quick);
        else await buildCli(io).parseAsync(argv);
        return ExitCode.Ok;
    } catch (e) {
        return report(e, argv, io, debug);
    }
}

function report(e: unknown, argv: string[], io: Io, debug: boolean): number {
    const known = e instanceof UserError ? e : explainKubeError(e);
    if (known) {
        io.stderr.write(`error: ${known.message}\n`);
        if (known instanceof UsageError) {
            const command = argv.find((a) => COMMANDS.includes(a));
            io.stderr.write(`See 'kubectl ivyo-upgrade ${command ? `${command} ` : ''}--help' for usage.\n`);
        }
        if (debug && known.stack) io.stderr.write(`${known.stack}\n`);
        return known.exitCode;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    io.stderr.write(`error: internal error: ${err.message}${debug ? '' : ' (run with --debug for the stack trace)'}\n`);
    if (debug && err.stack) io.stderr.write(`${err.stack}\n`);
    return ExitCode.Error;
}

/** The value of `--context`, if the command line gives one. */
function contextFlag(argv: string[]): string | undefined {
    const i = argv.findIndex((a) => a === '--context' || a.startsWith('--context='));
    if (i < 0) return undefined;
    const arg = argv[i] ?? '';
    const value = arg.includes('=') ? arg.slice('--context='.length) : argv[i + 1];
    return value && !value.startsWith('-') ? value : undefined;
}

/**
 * Every command the tool suggests carries `-n`; with `--context` given, it carries that too, so a suggestion
 * run as printed talks to the same cluster. Done once here, for every message on stdout and stderr.
 */
export function suggestingContext(io: Io, context: string | undefined): Io {
    if (!context) return io;
    const add = (text: string) => text.replace(/(kubectl [^\n"`]*?-n [^\s"'`),;]+)/g, `$1 --context ${context}`);
    return {
        ...io,
        stdout: { isTTY: io.stdout.isTTY, columns: io.stdout.columns, write: (chunk: string) => io.stdout.write(add(chunk)) },
        stderr: { isTTY: io.stderr.isTTY, write: (chunk: string) => io.stderr.write(add(chunk)) },
    };
}
