import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { ApiError } from '../../src/kube/errors.js';
import type { Io } from '../../src/io.js';
import { elapsed, PreconditionFailed, RESYNC_MS, runProcedure, SERVER_READS_EVERY_MS, type Procedure, type RunOptions, type WaitReads } from '../../src/plan/execute.js';

/** A small world the procedure works on: a counter to raise to `goal`, and an outside event that ends a wait. */
interface World {
    value: number;
    goal: number;
    ready: boolean;
    writes: { step: string; dryRun: boolean }[];
    /** Make a write "succeed" without taking effect. */
    stuck?: boolean;
    /** Fail the precondition once the value reaches this. */
    failAt?: number;
    /** The server forbids the raise (403), as it would for a user without the verb. */
    forbidden?: boolean;
}
type Action = { kind: 'raise' } | { kind: 'wait' };

function procedure(w: World): Procedure<World, Action> {
    return {
        title: 'raise the counter',
        observe: async () => ({ ...w }),
        plan: (s) => {
            if (s.failAt !== undefined && s.value >= s.failAt) throw new PreconditionFailed(`the value is ${s.value}`);
            if (!s.ready) return [{ kind: 'wait' }];
            return s.value < s.goal ? [{ kind: 'raise' }] : [];
        },
        describe: (a, s) => (a.kind === 'wait' ? 'wait for readiness' : `raise the counter from ${s.value}`),
        isWait: (a) => a.kind === 'wait',
        notes: () => ['a note before the plan'],
        async execute(_a, s, dryRun) {
            if (w.forbidden) throw new ApiError(403, 'Forbidden', 'counters "c" is forbidden: User "u" cannot patch resource "counters"', 'PATCH', '/counters/c', 'ctx');
            w.writes.push({ step: `raise from ${s.value}`, dryRun });
            if (!dryRun && !w.stuck) w.value++;
        },
        onTimeout: () => 'readiness never came',
    };
}

function io(tty = false) {
    const out = { stdout: '', stderr: '' };
    const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
    stdin.isTTY = tty;
    const value: Io = { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) }, stdin, env: {} };
    return { io: value, out };
}

const world = (extra: Partial<World> = {}): World => ({ value: 0, goal: 2, ready: true, writes: [], ...extra });
const opts = (i: Io, extra: Partial<RunOptions> = {}): RunOptions => ({ io: i, yes: true, dryRun: 'none', output: 'table', timeoutMs: 5_000, pollMs: 5, ...extra });

describe('runProcedure, the one executor of every write', () => {
    it('runs step by step from fresh reads until nothing is left; a re-run has nothing to do', async () => {
        const w = world();
        const { io: i, out } = io();
        expect(await runProcedure(procedure(w), opts(i))).toBe('done');
        expect(w.value).toBe(2);
        expect(out.stderr).toContain('note: a note before the plan\n');
        expect(out.stderr).toContain('  done: raise the counter from 0\n  done: raise the counter from 1\n');
        expect(await runProcedure(procedure(w), opts(io().io))).toBe('nothing-to-do');
        // The plan's one step sent as a dry run first (the server's authorization), then each step for real.
        expect(w.writes).toEqual([
            { step: 'raise from 0', dryRun: true },
            { step: 'raise from 0', dryRun: false },
            { step: 'raise from 1', dryRun: false },
        ]);
    });

    it('--dry-run=client prints the plan and writes nothing', async () => {
        const w = world();
        const { io: i, out } = io();
        expect(await runProcedure(procedure(w), opts(i, { dryRun: 'client', yes: false }))).toBe('planned');
        expect(out.stdout).toBe('Plan to raise the counter:\n  1. raise the counter from 0\n');
        expect(w.writes).toEqual([]);
    });

    it('--dry-run=server sends every write as a dry run and asks nothing, even without a terminal or --yes', async () => {
        const w = world();
        const { io: i, out } = io(false);
        expect(await runProcedure(procedure(w), opts(i, { dryRun: 'server', yes: false }))).toBe('done');
        expect(w.writes).toEqual([{ step: 'raise from 0', dryRun: true }]);
        expect(w.value).toBe(0);
        expect(out.stderr).not.toContain('(y/N)');
        expect(out.stderr).toContain('accepted by the server (dry run): raise the counter from 0');
    });

    it('refuses without a terminal and without --yes (exit 3), writing nothing', async () => {
        const w = world();
        const err = await runProcedure(procedure(w), opts(io(false).io, { yes: false })).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(UserError);
        expect((err as UserError).exitCode).toBe(3);
        expect(w.writes.filter((x) => !x.dryRun)).toEqual([]);
    });

    it('refuses before any write when the server forbids a step of the plan (exit 3), naming the step and the verb', async () => {
        const w = world({ forbidden: true });
        const { io: i } = io();
        const err = await runProcedure(procedure(w), opts(i)).catch((e: unknown) => e);
        expect(err).toMatchObject({ exitCode: 3 });
        expect((err as Error).message).toMatch(
            /^the server forbids a step of this plan, so nothing was changed; "kubectl ivyo-upgrade inspect --print-rbac" prints the roles this tool needs:\n  raise the counter from 0: .*cannot patch/,
        );
        expect(w.value).toBe(0);
    });

    it('checks the writes the plan comes to only after a wait as well, so a forbidden one stops the run before it waits', async () => {
        const w = world({ ready: false, forbidden: true });
        const { io: i, out } = io();
        const err = await runProcedure({ ...procedure(w), laterWrites: () => [{ kind: 'raise' }] }, opts(i)).catch((e: unknown) => e);
        expect(err).toMatchObject({ exitCode: 3 });
        expect((err as Error).message).toContain('\n  raise the counter from 0: ');
        expect(out.stderr).not.toContain('  wait for readiness ...');
        // Without it, the run waits for readiness first, and would meet the 403 only after.
        const unchecked = await runProcedure(procedure(world({ ready: false, forbidden: true })), opts(io().io, { timeoutMs: 50 })).catch((e: unknown) => e);
        expect((unchecked as Error).message).toContain('readiness never came');
    });

    it('asks about a step whose dry run the server cannot judge yet as well: its authorization comes first', async () => {
        const w = world({ forbidden: true });
        const err = await runProcedure({ ...procedure(w), unverifiableInDryRun: () => 'needs what an earlier step makes' }, opts(io().io)).catch((e: unknown) => e);
        expect(err).toMatchObject({ exitCode: 3 });
        expect(w.value).toBe(0);
    });

    it('a failed precondition is exit 3 before any write, exit 1 with what was done after one', async () => {
        const before = await runProcedure(procedure(world({ failAt: 0 })), opts(io().io)).catch((e: unknown) => e);
        expect(before).toMatchObject({ exitCode: 3, message: 'the value is 0 (nothing was changed)' });
        const after = await runProcedure(procedure(world({ failAt: 1 })), opts(io().io)).catch((e: unknown) => e);
        expect(after).toMatchObject({ exitCode: 1, message: 'the value is 1\nDone before stopping:\n  - raise the counter from 0' });
    });

    it('passes any other error on as it is: only a PreconditionFailed is a refusal', async () => {
        const p = {
            ...procedure(world()),
            plan: () => {
                throw new Error('a bug');
            },
        };
        const err = await runProcedure(p, opts(io().io)).catch((e: unknown) => e);
        expect(err).not.toBeInstanceOf(UserError);
        expect((err as Error).message).toBe('a bug');
    });

    it('stops when a write was accepted but did not take effect, instead of repeating it', async () => {
        const w = world({ stuck: true });
        const err = await runProcedure(procedure(w), opts(io().io)).catch((e: unknown) => e);
        expect((err as Error).message).toMatch(/^"raise the counter from 0" was done but did not take effect/);
        expect(w.writes.filter((x) => !x.dryRun)).toHaveLength(1);
    });

    it('a wait says it is still waiting, with the time so far, and times out naming what to check', async () => {
        const w = world({ ready: false });
        const { io: i, out } = io();
        const err = await runProcedure(procedure(w), opts(i, { timeoutMs: 120, pollMs: 10, progressEveryMs: 40 })).catch((e: unknown) => e);
        expect(out.stderr).toContain('  wait for readiness ...\n');
        expect(out.stderr).toMatch(/  still waiting \(0s of 0s\): wait for readiness\n/);
        expect((err as Error).message).toBe('timed out after 0.12s: readiness never came (nothing was changed)');
        expect(w.writes).toEqual([]);
    });
});

/**
 * Reads as watches give them, for the executor: `log` records what the executor does with them and when it reads;
 * the world turns ready at the `readyAt`-th wake-up, as a watch event would say, and `server` reads per round
 * went to the server.
 */
function watched(w: World, log: string[], readyAt: number, server = 0): { watchReads(): WaitReads } {
    let wakes = 0;
    return {
        watchReads() {
            log.push('watch');
            let open = true;
            return {
                async next(ms: number) {
                    log.push(`next ${ms <= SERVER_READS_EVERY_MS ? 'soon' : ms <= RESYNC_MS ? 'later' : 'never'}`);
                    if (++wakes === readyAt) w.ready = true;
                },
                serverReads: () => server,
                close() {
                    if (open) log.push('close');
                    open = false;
                },
            };
        },
    };
}

describe('a wait reads through watches when the client gives them', () => {
    const logged = (w: World, log: string[]): Procedure<World, Action> => {
        const p = procedure(w);
        return {
            ...p,
            observe: () => {
                log.push('observe');
                return p.observe();
            },
            execute: (a, s, d) => {
                log.push('write');
                return p.execute(a, s, d);
            },
        };
    };

    it('reads again only when woken, and closes the watches to read from the server before a write', async () => {
        const w = world({ ready: false, goal: 1 });
        const log: string[] = [];
        // pollMs would make this test time out if the executor still polled.
        expect(await runProcedure(logged(w, log), opts(io().io, { reads: watched(w, log, 2), pollMs: 3_600_000, timeoutMs: 3_600_000 }))).toBe('done');
        expect(log).toEqual(['observe', 'watch', 'observe', 'next later', 'observe', 'next later', 'observe', 'close', 'observe', 'write', 'observe']);
    });

    it('wakes sooner when some reads went to the server, and closes the watches when the wait times out', async () => {
        const w = world({ ready: false });
        const log: string[] = [];
        const err = await runProcedure(logged(w, log), opts(io().io, { reads: watched(w, log, 0, 1), timeoutMs: 0 })).catch((e: unknown) => e);
        expect((err as Error).message).toMatch(/^timed out/);
        expect(log.at(-1)).toBe('close');
        expect(log.filter((l) => l.startsWith('next')).every((l) => l === 'next soon')).toBe(true);
    });
});

describe('elapsed', () => {
    it.each([
        [0, '0s'],
        [42_000, '42s'],
        [65_000, '1m05s'],
        [3_725_000, '1h02m'],
    ])('%d ms → %s', (ms, text) => expect(elapsed(ms)).toBe(text));
});
