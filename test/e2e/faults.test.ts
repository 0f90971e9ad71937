import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startApiServer, stopApiServer } from '../../scripts/test-cluster.js';
import type { KubeObject } from '../../src/kube/types.js';
import { mergePatch } from '../../src/kube/writes.js';
import { FaultProxy, type Fate, type Seen } from '../support/fault-proxy.js';
import { adminClient, adminCluster, adminKubeconfig, createNamespace, notePrinted, PLUGIN, run } from '../support/kube.js';
import { startPostgres, type Server } from '../support/postgres.js';
import { contentHash, SEEDED_TABLES, seedV4, V5_HBA } from '../support/v4-seed.js';
import { adoptedForRelease, logicalOperators, preparedForApply, replicatingForCutover, serversOf, standbyForPromote, stopServers, v4ForLogical, v4ForPrepare } from './seeded.js';
import { V4OperatorSimulator } from './simulators/v4-operator.js';
import { V5OperatorSimulator } from './simulators/v5-operator.js';

/**
 * Faults at every step of the commands that write: for each write an uninterrupted run sends, one run where the
 * fault strikes right before it (after the step before it is done), then a re-run; the end state must equal an
 * uninterrupted run's. The tool reaches the API server through a fault proxy (test/support/fault-proxy.ts); the
 * operators' simulators and the checks go to it directly.
 */
const FAULTS = ['sigint', 'restart', 'concurrent-writer', 'answer-503', 'answer-429', 'reset', 'lose-answer'] as const;
type Fault = (typeof FAULTS)[number];

/** What the concurrent writer puts on the object the tool is about to write: a change of its own, nothing more. */
const RACE = 'faults.test/concurrent-writer';

interface Operators {
    stop(): Promise<void>;
    errors: unknown[];
}

interface Scenario {
    /** The writes an uninterrupted run sends (the baseline test checks it): one fault case for each. */
    writes: number;
    /** Seeds a namespace with the state the command starts from; returns its command line. */
    seed(ns: string): Promise<string[]>;
    /** Starts the operators the command waits on (simulated: test/e2e/simulators); again after a restart, given the ones before. */
    operators(ns: string, before?: Operators): Operators;
    /** What the end state holds beyond the API server's objects (the data a copy made), read once the run is over. */
    data?(ns: string): Promise<unknown>;
}

const client = () => adminClient();
const v4Operator = (ns: string, before?: Operators) => {
    const sim = new V4OperatorSimulator(adminKubeconfig(), ns, {}, (before as { seen?: V4OperatorSimulator['seen'] } | undefined)?.seen);
    const started = sim.start();
    return { stop: async () => (await started).stop(), errors: sim.errors, seen: sim.seen };
};
const v5Operator = (ns: string) => new V5OperatorSimulator(client(), 'pgo', ns).start();

// The servers a failed cut-over case left running.
afterAll(() => stopServers());

const SCENARIOS: Record<string, Scenario> = {
    // Retain on three PVs, the record, the replica's scale-down, keep-data, the delete, labels off three PVCs.
    prepare: { writes: 10, seed: v4ForPrepare, operators: v4Operator },
    // The password copy, the PostgresCluster, the volumes source removed once adopted.
    apply: { writes: 3, seed: preparedForApply, operators: v5Operator },
    // Retain on three PVs, then per PVC its v5 labels and its owner reference off.
    'release-pvc': { writes: 9, seed: adoptedForRelease, operators: v5Operator },
    // v4 marked with its successor, v4 shut down (the v4 operator scales it to zero), the standby promoted.
    promote: { writes: 3, seed: standbyForPromote, operators: v4Operator },
    // The logical move by dump into a fresh PostgresCluster: v4's passwords, the cluster, the copy Job.
    'apply --method logical': { writes: 4, ...logicalDump() },
    // The logical move by replication's last step, from a running subscription: the cut-over Job.
    cutover: { writes: 1, ...logicalCutover() },
};

/**
 * The logical move's copy runs for real: the JobRunner runs each Job's script (test/e2e/simulators/job-runner.ts)
 * from a PostgreSQL 13 seeded as v4 (one for every case: the dump only reads it) into a PostgreSQL 18 of each
 * case's own, whose tables' contents are part of the end state.
 */
function logicalDump(): Omit<Scenario, 'writes'> {
    let v4: Server | undefined;
    let v4Started: Promise<Server> | undefined;
    const v5 = new Map<string, Server>();
    afterAll(async () => {
        await Promise.all([...v5.values()].map((s) => s.stop()));
        await v4?.stop();
    });
    return {
        seed: async (ns) => {
            v4 = await (v4Started ??= startPostgres(13).then((s) => {
                seedV4(s);
                s.psql("alter role hippo password 'hippo-password-example'");
                return s;
            }));
            v5.set(ns, await startPostgres(18, { hba: V5_HBA }));
            return v4ForLogical(ns);
        },
        operators: (ns) => logicalOperators(ns, { v4: v4!, v5: v5.get(ns)! }, 'pgo', 'hippo-18'),
        data: async (ns) => {
            const target = v5.get(ns)!;
            const copied = Object.fromEntries(SEEDED_TABLES.map((t) => [t, contentHash(target, t) === contentHash(v4!, t)]));
            const login = target.login('hippo', 'hippo-password-example', 'hippo').ok;
            await target.stop();
            v5.delete(ns);
            // Every run ends with every table copied and v4's password working on v5, not only the same as the baseline.
            expect({ copied, login }).toEqual({ copied: Object.fromEntries(SEEDED_TABLES.map((t) => [t, true])), login: true });
            return { copied, login };
        },
    };
}

/**
 * The cut-over from v4 to a fresh IvoryCluster that replicates it (test/e2e/seeded.ts `replicatingForCutover`:
 * each case its own pair of servers, as the cut-over changes v4). The end state holds what a cut-over must leave:
 * every table the same on both, no slot on v4, the application user able to log in to v5 only.
 */
function logicalCutover(): Omit<Scenario, 'writes'> {
    return {
        seed: replicatingForCutover,
        operators: (ns) => logicalOperators(ns),
        data: async (ns) => {
            const { v4, v5 } = serversOf(ns);
            const end = {
                copied: Object.fromEntries(SEEDED_TABLES.map((t) => [t, contentHash(v5, t) === contentHash(v4, t)])),
                slots: v4.psql("select count(*) from pg_replication_slots where slot_name like 'ivyo_upgrade_%'"),
                v4Login: v4.login('hippo', 'hippo-password-example', 'hippo').ok,
                v5Login: v5.login('hippo', 'hippo-password-example', 'hippo').ok,
            };
            await stopServers(ns);
            expect(end).toEqual({ copied: Object.fromEntries(SEEDED_TABLES.map((t) => [t, true])), slots: '0', v4Login: false, v5Login: true });
            return end;
        },
    };
}

interface Outcome {
    code: number | null;
    signal: NodeJS.Signals | null;
    stderr: string;
    /** The command line, its namespace written as NS. */
    args: string[];
    seen: Seen[];
    end: unknown;
}

/** Runs a scenario in a new namespace with `fault` striking before write number `at` (none: uninterrupted), then re-runs it if it did not finish. */
async function runCase(scenario: Scenario, fault: Fault | 'flaky-reads' | null, at = 0): Promise<Outcome> {
    const ns = await createNamespace('faults');
    const args = await scenario.seed(ns);
    let operators = scenario.operators(ns);
    const retired: Operators[] = [];
    const dir = path.dirname(adminKubeconfig());
    let restarted: Promise<void> | undefined;
    let fired = false;
    let reads = 0;
    const retried = new Set<string>();
    let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
    let interrupt = () => {};

    const decide = async (req: Seen): Promise<Fate> => {
        if (fault === 'flaky-reads') {
            // Every third read fails, in turn with a 503, a 429 (Retry-After 0) and a reset connection; its retry goes through.
            if (req.write || retried.delete(`${req.method} ${req.url}`) || ++reads % 3 !== 0) return 'forward';
            retried.add(`${req.method} ${req.url}`);
            return [{ status: 503 }, { status: 429, retryAfterS: 0 }, 'reset' as const][(reads / 3) % 3]!;
        }
        if (fault === null || fired || req.writesBefore !== at || (fault !== 'restart' && !req.write)) return 'forward';
        fired = true;
        switch (fault) {
            case 'sigint':
                interrupt();
                await exited;
                return 'reset';
            case 'restart':
                // The API server crashes after the step before: whatever the tool sends meets a dead server until it is back.
                await operators.stop();
                retired.push(operators);
                await stopApiServer(dir);
                restarted = startApiServer(dir).then(() => void (operators = scenario.operators(ns, operators)));
                return 'forward';
            case 'concurrent-writer':
                if (req.method !== 'POST')
                    await mergePatch(client(), new URL(req.url, 'https://x').pathname.replace(/\/status$/, ''), { metadata: { annotations: { [RACE]: 'x' } } });
                return 'forward';
            case 'answer-503':
                return { status: 503 };
            case 'answer-429':
                return { status: 429, retryAfterS: 1 };
            case 'reset':
                return 'reset';
            case 'lose-answer':
                return 'lose-answer';
        }
    };
    const { server, ca } = adminCluster();
    const proxy = await new FaultProxy(server, ca, decide).start();
    try {
        const started = spawn(PLUGIN, args, { env: { ...process.env, KUBECONFIG: proxy.kubeconfig(ADMIN_TOKEN), NO_COLOR: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
        interrupt = () => void started.kill('SIGINT');
        let out = '';
        started.stdout.on('data', (d: Buffer) => (out += d.toString()));
        started.stderr.on('data', (d: Buffer) => (out += d.toString()));
        exited = new Promise((resolve) => started.on('close', (code, signal) => resolve({ code, signal })));
        const first = await exited;
        notePrinted(args, out);
        await restarted;
        if (first.code !== 0) {
            const again = await run(args);
            expect(again.code, `re-run after ${fault} before write ${at}: ${again.stderr}`).toBe(0);
        }
        await operators.stop();
        expect([...retired, operators].flatMap((o) => o.errors)).toEqual([]);
        const end = { objects: await endState(ns), data: await scenario.data?.(ns) };
        return { ...first, stderr: out.replaceAll(ns, 'NS'), args: args.map((a) => a.replaceAll(ns, 'NS')), seen: proxy.seen, end };
    } finally {
        await proxy.close();
    }
}

/** What differs between two runs anyway: ids, versions, times, names made at random, the concurrent writer's mark. */
const VARYING = new Set(['uid', 'resourceVersion', 'creationTimestamp', 'capturedAt', 'readAt', 'lastTransitionTime', 'observedGeneration']);

function scrub(v: unknown, ns: string): unknown {
    if (typeof v === 'string') {
        const text = v.replaceAll(ns, 'NS');
        if (!/^[{[]/.test(text)) return text;
        try {
            return scrub(JSON.parse(text), ns);
        } catch {
            return text;
        }
    }
    if (Array.isArray(v)) return v.map((x) => scrub(x, ns));
    if (v && typeof v === 'object') {
        const entries = Object.entries(v).filter(([k]) => k !== RACE);
        const out = Object.fromEntries(entries.map(([k, x]) => [k, VARYING.has(k) ? '-' : scrub(x, ns)]));
        return Object.keys(out).length > 0 || entries.length === Object.keys(v).length ? out : undefined;
    }
    return v;
}

/** Everything the commands and the operators leave in a namespace that an interruption could change. */
async function endState(ns: string): Promise<unknown> {
    const list = (p: string) => client().list<KubeObject>(p);
    const api = `/api/v1/namespaces/${ns}`;
    const objects = {
        pgclusters: await list(`/apis/crunchydata.com/v1/namespaces/${ns}/pgclusters`),
        pgtasks: await list(`/apis/crunchydata.com/v1/namespaces/${ns}/pgtasks`),
        deployments: await list(`/apis/apps/v1/namespaces/${ns}/deployments`),
        pvcs: await list(`${api}/persistentvolumeclaims`),
        pvs: (await list('/api/v1/persistentvolumes')).filter((pv) => pv.metadata.name.includes(ns)),
        configmaps: await list(`${api}/configmaps`),
        // The tool's Secrets and the fixtures', not the service account's token (made anew in every namespace).
        secrets: (await list(`${api}/secrets`)).filter((x) => (x as { type?: string }).type !== 'kubernetes.io/service-account-token'),
        postgresclusters: await list(`/apis/postgres-operator.crunchydata.com/v1beta1/namespaces/${ns}/postgresclusters`),
    };
    const keep = (kind: string) => (o: KubeObject) => {
        const x = o as KubeObject & { spec?: unknown; data?: Record<string, string>; type?: string };
        const m = x.metadata;
        const owners = m.ownerReferences?.map((r) => `${r.kind}/${r.name}`);
        // A Secret's keys only: a failed comparison prints what it compares, and no secret value is printed.
        const data = kind === 'secrets' ? Object.keys(x.data ?? {}).sort() : x.data;
        return { name: m.name, labels: m.labels, annotations: m.annotations, owners, deleting: Boolean(m.deletionTimestamp), spec: x.spec, type: x.type, data };
    };
    return scrub(Object.fromEntries(Object.entries(objects).map(([k, v]) => [k, v.map(keep(k)).sort((a, b) => a.name.localeCompare(b.name))])), ns);
}

/**
 * At most this many cases at once: each runs the tool, a proxy and an operator simulator against the one API
 * server, and on a two-core machine more of them slow the simulated operators past the commands' timeouts.
 */
const PARALLEL = { free: 3, waiting: [] as (() => void)[] };

async function oneOf<T>(slots: typeof PARALLEL, work: () => Promise<T>): Promise<T> {
    if (slots.free > 0) slots.free--;
    else await new Promise<void>((resolve) => slots.waiting.push(resolve));
    try {
        return await work();
    } finally {
        const next = slots.waiting.shift();
        if (next) next();
        else slots.free++;
    }
}

describe.each(Object.entries(SCENARIOS))('faults at every step of %s', (command, scenario) => {
    let baseline: Outcome;

    it('uninterrupted: finishes in one run, and sends the writes each fault below strikes before', async () => {
        baseline = await runCase(scenario, null);
        expect(baseline.code, baseline.stderr).toBe(0);
        expect(baseline.seen.filter((r) => r.write).map((r) => `${r.method} ${r.url.split('?')[0]}`)).toHaveLength(scenario.writes);
    });

    it('every third read failing (503, 429, reset): finishes in one run all the same', async () => {
        const o = await runCase(scenario, 'flaky-reads');
        expect(o.code, o.stderr).toBe(0);
        expect(o.end).toEqual(baseline.end);
    });

    // Faults that leave the API server up run side by side; a restart stops it for everyone, so those run alone.
    const cases = (faults: readonly Fault[]) => faults.flatMap((fault) => Array.from({ length: scenario.writes }, (_, at) => [fault, at] as const));
    const check = async (fault: Fault, at: number) => {
        const o = await oneOf(PARALLEL, () => runCase(scenario, fault, at));
        if (fault === 'sigint') {
            // Killed by the signal as kubectl is, after saying what was done and what was under way.
            expect(o.signal).toBe('SIGINT');
            expect(o.stderr).toContain('interrupted; "');
            expect(o.stderr).toContain('was under way and may or may not have taken effect: run the same command again to finish');
            if (at > 0) expect(o.stderr).toContain('\nDone before stopping:\n');
        } else {
            // Stopped half way (exit 1, saying so on one error line) or, where the fault was harmless, done.
            expect([0, 1], o.stderr).toContain(o.code);
            if (o.code === 1) expect(o.stderr.match(/^error: /gm), o.stderr).toHaveLength(1);
        }
        expect(o.stderr).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);
        expect(o.end).toEqual(baseline.end);
    };
    const title = `${command}: %s before write %i, then a re-run, ends as an uninterrupted run`;
    // Bounds well above a run's (a prepare waits 60 s at most, then its re-run): a slow machine is no failure.
    it.concurrent.each(cases(FAULTS.filter((f) => f !== 'restart')))(title, check, 180_000);
    it.each(cases(['restart']))(title, check, 180_000);
});
