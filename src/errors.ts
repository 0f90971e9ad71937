/** Exit codes, as README documents them. */
export const ExitCode = {
    Ok: 0,
    Error: 1,
    Usage: 2,
    /** Refused by a preflight check; nothing was changed. */
    Refused: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the user can act on: its message is printed as is, on one line, after `error: `. */
/** The first line of what a failure says, for a message of one line. */
export function firstLine(e: unknown): string {
    return e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
}

export class UserError extends Error {
    constructor(
        message: string,
        readonly exitCode: ExitCode = ExitCode.Error,
    ) {
        super(message);
        this.name = 'UserError';
    }
}

export class UsageError extends UserError {
    constructor(message: string) {
        super(message, ExitCode.Usage);
        this.name = 'UsageError';
    }
}
