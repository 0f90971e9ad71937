import type { ArgumentsCamelCase, InferredOptionTypes, Options } from 'yargs';
import { UsageError } from '../errors.js';
import { OUTPUT_FORMATS } from '../output/format.js';
import type { FlavorName } from '../targets/flavors.js';

/** Flags every subcommand takes, as kubectl names them. */
export const globalFlags = {
    kubeconfig: { type: 'string', describe: 'Path to the kubeconfig file (used alone; default: $KUBECONFIG, then ~/.kube/config)', global: true },
    context: { type: 'string', describe: 'The kubeconfig context to use', global: true },
    namespace: { alias: 'n', type: 'string', describe: "Namespace of the v4 cluster (default: the context's)", global: true },
    'request-timeout': {
        type: 'string',
        default: '0',
        coerce: (v: string) => parseDuration(v, '--request-timeout'),
        describe: 'How long to wait for one server request (e.g. 10s, 1m); 0 waits as long as the connection lives',
        global: true,
    },
    output: { alias: 'o', choices: OUTPUT_FORMATS, default: 'table', describe: 'Output format', global: true },
    debug: { type: 'boolean', default: false, describe: 'Print stack traces of internal errors', global: true },
} as const satisfies Record<string, Options>;

/** The global flags as yargs parses them (kebab-case keys), and as handlers read them (camelCase). */
export type GlobalFlags = Omit<InferredOptionTypes<typeof globalFlags>, 'request-timeout'> & { 'request-timeout': number };
export type GlobalArgs = ArgumentsCamelCase<GlobalFlags>;

/** What `--dry-run` may say; a bare `--dry-run` means client, as in kubectl. */
export const DRY_RUN_MODES = ['none', 'client', 'server'] as const;
export type DryRunMode = (typeof DRY_RUN_MODES)[number];

/**
 * Flags of every command that writes: kubectl's `--dry-run` and `--yes`. `--dry-run` has no default on
 * purpose: yargs replaces the empty value of a bare `--dry-run` with an option's default, which would turn
 * "print the plan" into a real run. Commands read it through `dryRunOf`.
 */
export const confirmFlags = {
    yes: { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask for confirmation' },
    'dry-run': {
        type: 'string',
        choices: DRY_RUN_MODES,
        // Runs before the choices are checked: a bare --dry-run (empty value) means client.
        coerce: (v: string) => (v === '' ? 'client' : v),
        describe: 'client (or bare --dry-run): print the plan only; server: send every write with dryRun=All, persist nothing; none (default): do it',
    },
} as const satisfies Record<string, Options>;

/** The dry-run mode yargs checked against DRY_RUN_MODES; absent means none. */
export function dryRunOf(args: { dryRun?: string }): DryRunMode {
    return DRY_RUN_MODES.find((m) => m === args.dryRun) ?? 'none';
}

/** kubectl's duration syntax: `0`, a bare number of seconds, or `1h2m3s`, `500ms`; `flag` names it in errors. */
export function parseDuration(text: string, flag: string): number {
    if (/^\d+$/.test(text)) return Number(text) * 1000;
    const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
    const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
        throw new UsageError(`invalid duration "${text}" for ${flag}: use a number with a unit, like 10s or 1m, or 0 for none`);
    }
    return parts.reduce((ms, p) => ms + Number(p[1]) * (units[p[2] ?? 's'] ?? 0), 0);
}

/** A `--timeout` flag in kubectl's duration syntax, parsed (to milliseconds) before any connection. */
export function timeoutFlag(defaultValue: string, describe: string) {
    return { type: 'string', default: defaultValue, coerce: (v: string) => parseDuration(v, '--timeout'), describe } as const satisfies Options;
}

/** `-o json|yaml` on a command that writes prints its plan, so it goes with `--dry-run=client` (exit 2 otherwise). */
export function checkPlanOutput(a: { output?: string; dryRun?: string }): true {
    if (a.output && a.output !== 'table' && dryRunOf(a) !== 'client') {
        throw new UsageError(`-o ${a.output} prints the plan, so it goes with --dry-run=client; without it, progress goes to stderr and nothing to stdout`);
    }
    return true;
}

/** `--target ivyo|pgo`, the same choices everywhere; `describe` says what it means for the command. */
export function targetFlag(describe: string) {
    return { choices: ['ivyo', 'pgo'] as const satisfies readonly FlavorName[], describe } as const satisfies Options;
}
