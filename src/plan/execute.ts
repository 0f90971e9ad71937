import { ExitCode, UserError } from '../errors.js';
import type { Io } from '../io.js';
import { ApiError, explainKubeError } from '../kube/errors.js';
import { serialize, type OutputFormat } from '../output/format.js';
import { confirm } from '../output/prompt.js';

/** A state a plan must not go on from: the executor stops and says why (exit 3 before any write). */
export class PreconditionFailed extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'PreconditionFailed';
    }
}

/** A procedure the executor runs: how to read the state, what is left to do, and how to do one step. */
export interface Procedure<S, A> {
    title: string;
    observe(): Promise<S>;
    /** Pure. Throws to stop (a failed precondition). */
    plan(state: S): A[];
    describe(action: A, state: S): string;
    /** Steps that write nothing and wait for an operator to react. */
    isWait(action: A): boolean;
    execute(action: A, state: S, dryRun: boolean): Promise<void>;
    /** What to tell the user when a wait runs out of time. */
    onTimeout(action: A, state: S): string;
    /** Lines to show (on stderr) before a plan that has steps, in every mode: what the user should know first. */
    notes?(state: S): string[];
    /** Why a step cannot be checked by a server dry run (it needs what an earlier step would create), or null. */
    unverifiableInDryRun?(action: A, state: S): string | null;
    /**
     * Writes the plan comes to only after a wait, so not in it yet: checked with its own before the first write,
     * so that a step the server forbids never stops the run half way (the standby's promotion after v4's shutdown).
     */
    laterWrites?(state: S): A[];
}

/** Reads answered by watches while a wait lasts (KubeClient.watchReads, kube/watch.ts). */
export interface WaitReads {
    /** Resolves at the next change a watch sees, or after `ms`. */
    next(ms: number): Promise<void>;
    /** Reads since the last call that no watch could answer, so went to the server. */
    serverReads(): number;
    close(): void;
}

export interface RunOptions {
    io: Io;
    yes: boolean;
    dryRun: 'none' | 'client' | 'server';
    output: OutputFormat;
    timeoutMs: number;
    /**
     * Where a wait's reads come from: with it, a wait reads the state through watches and reads again when one
     * sees a change (or SERVER_READS_EVERY_MS when some reads cannot be watched, or RESYNC_MS); without it, every
     * `pollMs`.
     */
    reads?: { watchReads(): WaitReads };
    pollMs?: number;
    /** How often a wait says it is still waiting, with the time so far (default 30 s). */
    progressEveryMs?: number;
}

export type Outcome = 'done' | 'nothing-to-do' | 'planned';

/** How often a wait reads again when its reads are all watched and nothing changed. */
export const RESYNC_MS = 60_000;
/** How often a wait reads again when some of its reads go to the server (an exec, a subresource, a forbidden watch). */
export const SERVER_READS_EVERY_MS = 5_000;

/**
 * observe → plan → show → confirm → execute one step → observe again … until nothing is left. Every write
 * runs right after a fresh read of the cluster, so each step's precondition is checked just before it, and a
 * re-run after an interruption does only what is left.
 */
export async function runProcedure<S, A>(p: Procedure<S, A>, o: RunOptions): Promise<Outcome> {
    const { io } = o;
    let state = await p.observe();
    let plan = guarded(() => p.plan(state), []);
    if (plan.length > 0) for (const line of p.notes?.(state) ?? []) io.stderr.write(`note: ${line}\n`);
    if (o.dryRun === 'client') {
        const steps = plan.map((a) => ({ step: p.describe(a, state), action: a }));
        io.stdout.write(
            o.output === 'table'
                ? planText(
                      p.title,
                      steps.map((s) => s.step),
                  )
                : serialize({ plan: steps }, o.output),
        );
        return 'planned';
    }
    if (plan.length === 0) {
        io.stderr.write(`Nothing to do: ${p.title} is already done.\n`);
        return 'nothing-to-do';
    }
    io.stderr.write(`You are about to ${p.title}${o.dryRun === 'server' ? ' (server dry run: every write is sent with dryRun=All and nothing is persisted)' : ''}:\n`);
    io.stderr.write(plan.map((a, n) => `  ${n + 1}. ${p.describe(a, state)}\n`).join(''));
    if (o.dryRun === 'none') await permitted(p, plan, state);
    // A server dry run persists nothing, so it asks nothing.
    if (o.dryRun !== 'server' && !(await confirm(io, o.yes))) throw new UserError('cancelled at the prompt; nothing was changed');

    if (o.dryRun === 'server') {
        for (const a of plan) {
            const why = p.isWait(a) ? 'nothing to wait for in a dry run' : p.unverifiableInDryRun?.(a, state);
            if (why) {
                io.stderr.write(`  skipped (dry run: ${why}): ${p.describe(a, state)}\n`);
                continue;
            }
            await p.execute(a, state, true);
            io.stderr.write(`  accepted by the server (dry run): ${p.describe(a, state)}\n`);
        }
        return 'done';
    }

    const done: string[] = [];
    let waitingSince: number | null = null;
    let lastWait = '';
    let lastWrite = '';
    let lastProgress = 0;
    let reads: WaitReads | null = null;
    const progressEvery = o.progressEveryMs ?? 30_000;
    let writing: string | null = null;
    // Ctrl-C: say what was done and that a re-run finishes, then die of the signal as kubectl does (exit 130 in a shell).
    const interrupted = () => {
        const inFlight = writing ? `; "${writing}" was under way and may or may not have taken effect` : '';
        io.stderr.write(
            `\ninterrupted${inFlight}: run the same command again to finish; it reads the cluster and does only what is left${writing && done.length === 0 ? '' : doneSoFar(done)}\n`,
        );
        process.kill(process.pid, 'SIGINT');
    };
    process.once('SIGINT', interrupted);
    try {
        for (;;) {
            const next = plan[0];
            if (next === undefined) break;
            const text = p.describe(next, state);
            if (p.isWait(next)) {
                waitingSince ??= Date.now();
                const now = Date.now();
                if (text !== lastWait) {
                    io.stderr.write(`  ${text} ...\n`);
                    lastProgress = now;
                } else if (now - lastProgress >= progressEvery) {
                    io.stderr.write(`  still waiting (${elapsed(now - waitingSince)} of ${elapsed(o.timeoutMs)}): ${text}\n`);
                    lastProgress = now;
                }
                lastWait = text;
                if (Date.now() - waitingSince > o.timeoutMs) {
                    throw new UserError(`timed out after ${o.timeoutMs / 1000}s: ${p.onTimeout(next, state)}${doneSoFar(done)}`);
                }
                if (!o.reads) await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
                else if (!reads)
                    reads = o.reads.watchReads(); // read again at once, through the watches this starts
                else {
                    const quiet = reads.serverReads() > 0 ? SERVER_READS_EVERY_MS : RESYNC_MS;
                    const progressDue = lastProgress + progressEvery - now;
                    const timeoutDue = waitingSince + o.timeoutMs - now + 1;
                    await reads.next(Math.max(0, Math.min(quiet, progressDue, timeoutDue)));
                }
            } else {
                if (reads) {
                    // A write goes right after a read from the server, not from the watches.
                    reads.close();
                    reads = null;
                    state = await p.observe();
                    plan = guarded(() => p.plan(state), done);
                    continue;
                }
                if (text === lastWrite) {
                    throw new UserError(`"${text}" was done but did not take effect: check the object and run the command again${doneSoFar(done)}`);
                }
                waitingSince = null;
                lastWait = '';
                writing = text;
                await p.execute(next, state, false);
                writing = null;
                io.stderr.write(`  done: ${text}\n`);
                done.push(text);
                lastWrite = text;
            }
            state = await p.observe();
            plan = guarded(() => p.plan(state), done);
        }
    } finally {
        process.off('SIGINT', interrupted);
        reads?.close();
    }
    return 'done';
}

/**
 * Before the first write, every write of the plan, and those it comes to after a wait, goes to the server once
 * with dryRun=All, which authorizes it as the real one: a step the server forbids stops the run here (exit 3,
 * nothing changed), not half way through. The server authorizes a request before it looks at its object, so even
 * a step whose dry run it cannot judge yet (it needs what an earlier step would create) gets its 403 here. Any
 * other answer is left to the step itself, which meets it in order.
 */
async function permitted<S, A>(p: Procedure<S, A>, plan: A[], state: S): Promise<void> {
    const forbidden: string[] = [];
    const planned = new Set(plan.map((a) => p.describe(a, state)));
    const later = (p.laterWrites?.(state) ?? []).filter((a) => !planned.has(p.describe(a, state)));
    for (const a of [...plan, ...later]) {
        if (p.isWait(a)) continue;
        try {
            await p.execute(a, state, true);
        } catch (e) {
            if (e instanceof ApiError && e.status === 403) forbidden.push(`  ${p.describe(a, state)}: ${explainKubeError(e)?.message ?? e.message}`);
        }
    }
    if (forbidden.length > 0) {
        throw new UserError(
            `the server forbids ${forbidden.length === 1 ? 'a step' : `${forbidden.length} steps`} of this plan, so nothing was changed; "kubectl ivyo-upgrade inspect --print-rbac" prints the roles this tool needs:\n${forbidden.join('\n')}`,
            ExitCode.Refused,
        );
    }
}

/** Runs the planner; a failed precondition becomes exit 3 when nothing was changed yet, else exit 1. */
function guarded<A>(plan: () => A[], done: string[]): A[] {
    try {
        return plan();
    } catch (e) {
        if (e instanceof PreconditionFailed) {
            throw new UserError(`${e.message}${doneSoFar(done)}`, done.length === 0 ? ExitCode.Refused : ExitCode.Error);
        }
        throw e;
    }
}

function doneSoFar(done: string[]): string {
    return done.length === 0 ? ' (nothing was changed)' : `\nDone before stopping:\n${done.map((d) => `  - ${d}`).join('\n')}`;
}

function planText(title: string, steps: string[]): string {
    if (steps.length === 0) return `Nothing to do: ${title} is already done.\n`;
    return `Plan to ${title}:\n${steps.map((s, n) => `  ${n + 1}. ${s}\n`).join('')}`;
}

/** `1m05s`, `42s`: how long a wait has taken, as kubectl prints durations. */
export function elapsed(ms: number): string {
    const total = Math.round(ms / 1000);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const sec = total % 60;
    if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
    return m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}
