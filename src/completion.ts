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

/** The help text of the root (no command) or of one command, as the CLI prints it. */
export type HelpOf = (command?: string) => Promise<string>;

/** cobra's ShellCompDirectiveNoFileComp: kubectl ends plugin completions with this line. */
const NO_FILE_COMPLETION = ':4';

interface Flag {
    names: string[];
    choices: string[];
    /** A boolean flag takes no value word after it. */
    boolean: boolean;
}

/** Commands listed in the root help: `  kubectl ivyo-upgrade inspect [cluster]  …`. */
export function commandsIn(help: string): string[] {
    return [...help.matchAll(/^ {2}kubectl ivyo-upgrade ([\w-]+)/gm)].map((m) => m[1]!);
}

/** Flags (with their choices) in a command's help; an option's description may wrap onto the next lines. */
export function flagsIn(help: string): Flag[] {
    const options = help.split(/\n(?=\S)/).find((block) => block.startsWith('Options:')) ?? '';
    // Option lines start with 2 spaces (`-n, --namespace`) or 6 (`--kubeconfig`); wrapped descriptions with many more.
    const entries = options.split(/\n(?= {2,8}-)/).slice(1);
    return entries.map((e) => {
        const text = e.replace(/\s+/g, ' ');
        const head = text.trim().split(' ').slice(0, 2).join(' ');
        const names = [...head.matchAll(/(--?[\w-]+)/g)].map((m) => m[1]!);
        const choices = /\[choices: ([^\]]+)\]/.exec(text)?.[1]?.split(', ').map((c) => c.replace(/^"|"$/g, '')) ?? [];
        return { names, choices, boolean: text.includes('[boolean]') };
    });
}

const V4_POSITIONAL = new Set(['inspect', 'prepare', 'generate', 'apply']);

/**
 * Candidates for the last word of `words` (the words typed after the plugin name), for kubectl's plugin
 * completion (kubectl_complete-ivyo_upgrade) and the bash/zsh scripts. Quiet: errors give no candidates.
 */
export async function complete(words: string[], helpOf: HelpOf, names: NameSources): Promise<string[]> {
    const current = words[words.length - 1] ?? '';
    const before = words.slice(0, -1);
    const prefixed = (xs: string[]) => xs.filter((x) => x.startsWith(current));
    const safely = async (f: () => Promise<string[]>) => prefixed(await f().catch(() => []));
    const command = before.find((w) => !w.startsWith('-'));
    if (!command) return current.startsWith('-') ? prefixed(flagsIn(await helpOf()).flatMap((f) => f.names)) : prefixed(commandsIn(await helpOf()));
    const flags = flagsIn(await helpOf(command));
    const previous = before[before.length - 1];
    const namespaceAt = before.findIndex((w) => w === '-n' || w === '--namespace');
    const namespace = namespaceAt >= 0 ? before[namespaceAt + 1] : undefined;
    if (previous === '-n' || previous === '--namespace') return safely(() => names.namespaces());
    if (previous === '--context') return safely(() => names.contexts());
    if (previous === '--cluster') return safely(() => names.v5Clusters(namespace));
    const withChoices = flags.find((f) => previous !== undefined && f.names.includes(previous) && f.choices.length > 0);
    if (withChoices) return prefixed(withChoices.choices);
    if (current.startsWith('-')) return prefixed(flags.flatMap((f) => f.names));
    const positional = before.slice(before.indexOf(command) + 1).some((w, i, rest) => !w.startsWith('-') && !(rest[i - 1]?.startsWith('-') && flags.some((f) => f.names.includes(rest[i - 1]!) && !f.boolean)));
    if (positional) return [];
    if (V4_POSITIONAL.has(command)) return safely(() => names.v4Clusters(namespace));
    if (command === 'release-pvc') return safely(() => names.pvcs(namespace));
    return [];
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
