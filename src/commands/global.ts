import type { ArgumentsCamelCase, InferredOptionTypes, Options } from 'yargs';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { KubeClient } from '../kube/client.js';
import { loadKubeconfig } from '../kube/kubeconfig.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../output/format.js';

/** Flags every subcommand takes, as kubectl names them. */
export const globalFlags = {
    kubeconfig: { type: 'string', describe: 'Path to the kubeconfig file (used alone; default: $KUBECONFIG, then ~/.kube/config)', global: true },
    context: { type: 'string', describe: 'The kubeconfig context to use', global: true },
    namespace: { alias: 'n', type: 'string', describe: "Namespace of the v4 cluster (default: the context's)", global: true },
    'request-timeout': {
        type: 'string',
        default: '0',
        describe: 'How long to wait for one server request (e.g. 10s, 1m); 0 waits as long as the connection lives',
        global: true,
    },
    output: { alias: 'o', choices: OUTPUT_FORMATS, default: 'table' as OutputFormat, describe: 'Output format', global: true },
    debug: { type: 'boolean', default: false, describe: 'Print stack traces of internal errors', global: true },
} as const satisfies Record<string, Options>;

/** The global flags as yargs parses them (kebab-case keys), and as handlers read them (camelCase). */
export type GlobalFlags = InferredOptionTypes<typeof globalFlags>;
export type GlobalArgs = ArgumentsCamelCase<GlobalFlags>;

/** Flags of every command that writes: kubectl's `--dry-run` (a bare `--dry-run` means client) and `--yes`. */
export const confirmFlags = {
    yes: { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask for confirmation' },
    'dry-run': {
        type: 'string',
        choices: ['none', 'client', 'server'],
        default: 'none',
        coerce: (v: string) => (v === '' ? 'client' : v),
        describe: 'client: print the plan only; server: send every write with dryRun=All, persist nothing',
    },
} as const satisfies Record<string, Options>;

export type ConfirmFlags = { yes: boolean; 'dry-run': 'none' | 'client' | 'server' };

/** kubectl's duration syntax for --request-timeout: `0`, a bare number of seconds, or `1h2m3s`, `500ms`. */
export function parseDuration(text: string): number {
    if (/^\d+$/.test(text)) return Number(text) * 1000;
    const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
    const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
        throw new UsageError(`invalid duration "${text}" for --request-timeout: use a number with a unit, like 10s or 1m, or 0 for none`);
    }
    return parts.reduce((ms, p) => ms + Number(p[1]) * (units[p[2] ?? 's'] ?? 0), 0);
}

export interface Connection {
    client: KubeClient;
    namespace: string;
    contextName: string;
}

export function connect(args: GlobalArgs, io: Io): Connection {
    const timeout = parseDuration(args.requestTimeout);
    const cfg = loadKubeconfig({ kubeconfig: args.kubeconfig, context: args.context, namespace: args.namespace, env: io.env });
    return { client: new KubeClient(cfg.kc, cfg.server, timeout, cfg.contextName), namespace: cfg.namespace, contextName: cfg.contextName };
}
