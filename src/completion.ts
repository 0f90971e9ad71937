import type { Io } from './io.js';

/** Where live names come from; each may fail, and completion then offers nothing for it. */
export interface NameSources {
    namespaces(): Promise<string[]>;
    contexts(): Promise<string[]>;
    /** v4 pgclusters of the namespace. */
    v4Clusters(namespace: string | undefined): Promise<string[]>;
    /** IvoryClusters and PostgresClusters of the namespace. */
    v5Clusters(namespace: string | undefined): Promise<string[]>;
    pvcs(namespace: string | undefined): Promise<string[]>;
}

/** A flag as completion offers it: its names, its choices, whether it takes no value, where its names come from. */
export interface FlagModel {
    names: string[];
    choices: string[];
    /** A boolean flag takes no value word after it. */
    boolean: boolean;
    /** A flag that takes a name from the cluster (`--cluster`: a v5 cluster). */
    from?: keyof NameSources;
}

/** The CLI as completion sees it, made from the commands' own declarations. */
export interface CliModel {
    rootFlags: FlagModel[];
    commands: { name: string; flags: FlagModel[]; positional?: keyof NameSources }[];
}

/** cobra's ShellCompDirectiveNoFileComp: kubectl ends plugin completions with this line. */
const NO_FILE_COMPLETION = ':4';

/**
 * Candidates for the last word of `words` (the words typed after the plugin name), for kubectl's plugin
 * completion (kubectl_complete-ivyo_upgrade) and the bash/zsh scripts. Quiet: errors give no candidates.
 */
export async function complete(words: string[], cli: CliModel, names: NameSources): Promise<string[]> {
    const current = words[words.length - 1] ?? '';
    const before = words.slice(0, -1);
    const prefixed = (xs: string[]) => xs.filter((x) => x.startsWith(current));
    const safely = async (f: () => Promise<string[]>) => prefixed(await f().catch(() => []));
    const word = before.find((w) => !w.startsWith('-'));
    if (!word) return prefixed(current.startsWith('-') ? cli.rootFlags.flatMap((f) => f.names) : cli.commands.map((c) => c.name));
    const command = cli.commands.find((c) => c.name === word);
    if (!command) return [];
    const previous = before[before.length - 1];
    const namespaceAt = before.findIndex((w) => w === '-n' || w === '--namespace');
    const namespace = namespaceAt >= 0 ? before[namespaceAt + 1] : undefined;
    if (previous === '-n' || previous === '--namespace') return safely(() => names.namespaces());
    if (previous === '--context') return safely(() => names.contexts());
    const flag = previous === undefined ? undefined : command.flags.find((f) => f.names.includes(previous));
    if (flag?.from) {
        const from = flag.from;
        return safely(() => names[from](namespace));
    }
    if (flag && flag.choices.length > 0) return prefixed(flag.choices);
    if (current.startsWith('-')) return prefixed(command.flags.flatMap((f) => f.names));
    const takesValue = (w: string | undefined) => command.flags.some((f) => w !== undefined && f.names.includes(w) && !f.boolean);
    const rest = before.slice(before.indexOf(word) + 1);
    if (rest.some((w, i) => !w.startsWith('-') && !takesValue(rest[i - 1]))) return [];
    const positional = command.positional;
    return positional ? safely(() => names[positional](namespace)) : [];
}

export function printCompletions(io: Io, candidates: string[]): void {
    io.stdout.write(`${[...candidates, NO_FILE_COMPLETION].join('\n')}\n`);
}

/** `completion bash|zsh`: completion for `kubectl-ivyo_upgrade` typed directly (kubectl 1.26+ uses kubectl_complete-ivyo_upgrade). */
export function completionScript(shell: 'bash' | 'zsh'): string {
    if (shell === 'bash') {
        return `# bash completion for kubectl-ivyo_upgrade: source <(kubectl ivyo-upgrade completion bash)
# (for "kubectl ivyo-upgrade …", kubectl 1.26+ runs kubectl_complete-ivyo_upgrade from the release archive)
_kubectl_ivyo_upgrade() {
    local IFS=$'\\n'
    COMPREPLY=( $(kubectl-ivyo_upgrade __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null | grep -v '^:') )
}
complete -F _kubectl_ivyo_upgrade kubectl-ivyo_upgrade
`;
    }
    return `#compdef kubectl-ivyo_upgrade
# zsh completion for kubectl-ivyo_upgrade: source <(kubectl ivyo-upgrade completion zsh)
_kubectl_ivyo_upgrade() {
    local -a candidates
    candidates=(\${(f)"$(kubectl-ivyo_upgrade __complete \${words[2,CURRENT]} 2>/dev/null | grep -v '^:')"})
    compadd -a candidates
}
compdef _kubectl_ivyo_upgrade kubectl-ivyo_upgrade
`;
}
