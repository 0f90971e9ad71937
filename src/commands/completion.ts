import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { paths } from '../kube/paths.js';
import type { KubeObject } from '../kube/types.js';
import { complete, completionScript, printCompletions, type CliModel, type NameSources } from '../completion.js';
import { FLAVORS } from '../targets/flavors.js';
import { defineCommand } from './spec.js';

export const completionCommand = defineCommand({
    usage: 'completion <shell>',
    describe: 'Print a bash or zsh completion script for kubectl-ivyo_upgrade',
    positionals: { shell: { choices: ['bash', 'zsh'] as const, demandOption: true, describe: 'The shell' } },
    flags: {},
    examples: [['source <($0 completion bash)', 'Complete kubectl-ivyo_upgrade in this bash session']],
    epilogue: 'For "kubectl ivyo-upgrade …", kubectl 1.26+ runs kubectl_complete-ivyo_upgrade, which the release archives install.',
    validate(a) {
        if (a.output !== 'table') throw new UsageError('completion prints a shell script: -o does not apply');
    },
    async run(args, { io }) {
        io.stdout.write(completionScript(args.shell));
    },
});

/** Live names for completion: the default kubeconfig, short timeouts, metadata only. */
function liveNames(io: Io): NameSources {
    const connect = async () => {
        const [{ loadKubeconfig }, { KubeClient, USER_AGENT }] = await Promise.all([import('../kube/kubeconfig.js'), import('../kube/client.js')]);
        const cfg = loadKubeconfig({ env: io.env });
        return { client: new KubeClient(cfg.kc, cfg.server, 2000, cfg.contextName, { userAgent: USER_AGENT }), cfg };
    };
    const names = async (path: (ns: string) => string, namespace: string | undefined) => {
        const { client, cfg } = await connect();
        const list = await client.list<KubeObject>(path(namespace ?? cfg.namespace), { metadataOnly: true });
        return list.map((o) => o.metadata.name).sort();
    };
    return {
        namespaces: () => names(paths.namespaces, undefined),
        contexts: async () => (await connect()).cfg.kc.getContexts().map((c) => c.name),
        v4Clusters: (ns) => names((n) => paths.pgcluster(n), ns),
        v5Clusters: async (ns) => {
            const lists = await Promise.all(Object.values(FLAVORS).map((f) => names((n) => paths.v5Cluster(f, n), ns).catch(() => [])));
            return [...new Set(lists.flat())].sort();
        },
        pvcs: (ns) => names((n) => paths.pvc(n), ns),
    };
}

/** `__complete WORDS…`: what kubectl_complete-ivyo_upgrade and the shell scripts call. Never fails loudly. */
export async function runComplete(words: string[], io: Io, cli: CliModel): Promise<void> {
    const candidates = await complete(words.length > 0 ? words : [''], cli, liveNames(io)).catch(() => []);
    printCompletions(io, candidates);
}
