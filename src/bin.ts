import { processIo, type Io } from './io.js';
import { prebuiltAnswer } from './quick.js';

/**
 * --version, and --help from the texts the build rendered, are answered here; anything else loads main (yargs,
 * the commands' code) first, through a dynamic import that esbuild turns into a lazily evaluated part of the one
 * bundle.
 */
function start(argv: string[], io: Io): Promise<number> {
    const quick = prebuiltAnswer(argv);
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
