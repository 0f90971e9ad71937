import { quickAnswer } from './help.js';
import { processIo, type Io } from './io.js';

/**
 * --help and --version are answered here; anything else loads main (yargs, the commands' code) first. esbuild
 * turns the dynamic import into a lazily evaluated part of the one bundle.
 */
function start(argv: string[], io: Io): Promise<number> {
    let quick: string | null = null;
    try {
        quick = quickAnswer(argv);
    } catch {
        // A usage error (help for an unknown command): main reports it as it reports every usage error.
    }
    if (quick !== null) {
        io.stdout.write(quick);
        return Promise.resolve(0);
    }
    return import('./main.js').then((m) => m.main(argv, io));
}

start(process.argv.slice(2), processIo()).then(
    (code) => {
        // Exit explicitly: an unanswered request (after --request-timeout) must not keep the process alive.
        process.exitCode = code;
        process.stdout.write('', () => process.exit(code));
    },
    (e: unknown) => {
        process.stderr.write(`error: ${String(e)}\n`);
        process.exit(1);
    },
);
