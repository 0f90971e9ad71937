/** Everything a command touches outside the cluster, passed in so tests drive `main()` directly. */
export interface OutStream {
    write(chunk: string): unknown;
    isTTY?: boolean;
    /** A terminal's width, for help text. */
    columns?: number;
}

export interface InStream extends NodeJS.ReadableStream {
    isTTY?: boolean;
}

export interface Io {
    stdout: OutStream;
    stderr: OutStream;
    stdin: InStream;
    env: NodeJS.ProcessEnv;
}

export function processIo(): Io {
    return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}
