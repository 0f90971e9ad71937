import { ExitCode, UserError } from '../errors.js';
import type { Io } from '../io.js';

/**
 * kubectl's confirmation: the question on stderr, `(y/N)`, only `y` or `yes` go ahead. `--yes` skips it.
 * Without a terminal and without `--yes` it refuses (exit 3): a script must say yes explicitly.
 */
export async function confirm(io: Io, yes: boolean): Promise<boolean> {
    if (yes) return true;
    if (!io.stdin.isTTY) {
        throw new UserError(
            'refusing to change the cluster without confirmation: standard input is not a terminal; review the plan (--dry-run=client) and pass --yes',
            ExitCode.Refused,
        );
    }
    io.stderr.write('Do you want to continue? (y/N) ');
    const answer = await readLine(io.stdin);
    return /^(y|yes)$/i.test(answer.trim());
}

function readLine(stream: NodeJS.ReadableStream): Promise<string> {
    return new Promise((resolve) => {
        let text = '';
        const onData = (chunk: Buffer | string) => {
            text += chunk.toString();
            if (text.includes('\n')) done();
        };
        const done = () => {
            stream.off('data', onData);
            stream.off('end', done);
            stream.pause();
            resolve(text.split('\n')[0] ?? '');
        };
        stream.on('data', onData);
        stream.on('end', done);
        stream.resume();
    });
}
