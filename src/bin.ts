import { processIo } from './io.js';
import { main } from './main.js';

main(process.argv.slice(2), processIo()).then(
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
