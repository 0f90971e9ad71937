import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cliModel } from '../../src/commands/index.js';
import { complete, completionScript, type NameSources } from '../../src/completion.js';
import type { Io } from '../../src/io.js';
import { main } from '../../src/main.js';

const cli = cliModel();
const asked: string[] = [];
const names: NameSources = {
    namespaces: async () => ['default', 'pgo', 'prod'],
    contexts: async () => ['dev', 'prod'],
    v4Clusters: async (ns) => (asked.push(`v4 ${ns ?? '(context)'}`), ['hippo', 'rhino']),
    v5Clusters: async () => ['hippo'],
    pvcs: async () => ['hippo-jgut', 'hippo-pgbr-repo'],
};
const c = (...words: string[]) => complete(words, cli, names);

describe("completion, read from the commands' own declarations", () => {
    it("finds the commands and a command's flags with their choices, as --help shows them", async () => {
        expect(cli.commands.map((x) => x.name)).toEqual(['inspect', 'prepare', 'generate', 'apply', 'promote', 'cutover', 'release-pvc', 'completion']);
        const flags = cli.commands.find((x) => x.name === 'generate')!.flags;
        expect(flags.find((f) => f.names.includes('--repo'))).toEqual({ names: ['--repo'], choices: ['posix', 's3', 'gcs'], boolean: false });
        expect(flags.find((f) => f.names.includes('--validate'))?.boolean).toBe(true);
        // Every flag completion offers is one --help documents, and the other way round.
        for (const command of cli.commands) {
            let help = '';
            const io: Io = { stdout: { write: (t: string) => (help += t) }, stderr: { write: () => true }, stdin: new PassThrough(), env: {} };
            expect(await main([command.name, '--help'], io)).toBe(0);
            const documented = [...help.matchAll(/^ +(?:(-\w), )?(--[\w-]+)/gm)].flatMap((m) => [m[1], m[2]]).filter((x): x is string => x !== undefined);
            expect(new Set(command.flags.flatMap((f) => f.names)), command.name).toEqual(new Set(documented));
        }
    });

    it('completes commands, flags and flag values', async () => {
        expect(await c('')).toEqual(['inspect', 'prepare', 'generate', 'apply', 'promote', 'cutover', 'release-pvc', 'completion']);
        expect(await c('re')).toEqual(['release-pvc']);
        expect(await c('prepare', '--me')).toEqual(['--method']);
        expect(await c('prepare', '--method', '')).toEqual(['volumes', 'backups', 'standby', 'logical']);
        expect(await c('apply', '--dry-run', 's')).toEqual(['server']);
    });

    it('completes namespaces, contexts and names from the cluster', async () => {
        expect(await c('inspect', '-n', 'p')).toEqual(['pgo', 'prod']);
        expect(await c('inspect', '--context', '')).toEqual(['dev', 'prod']);
        expect(await c('inspect', '-n', 'pgo', 'h')).toEqual(['hippo']);
        expect(asked).toContain('v4 pgo');
        expect(await c('release-pvc', '')).toEqual(['hippo-jgut', 'hippo-pgbr-repo']);
        expect(await c('release-pvc', '--all', '--cluster', '')).toEqual(['hippo']);
        // One positional only: after the cluster name, nothing more to offer but flags.
        expect(await c('inspect', 'hippo', '')).toEqual([]);
    });

    it('stays quiet when the cluster cannot be read', async () => {
        const failing = { ...names, v4Clusters: async () => Promise.reject(new Error('unreachable')) };
        expect(await complete(['inspect', ''], cli, failing)).toEqual([]);
    });

    it('prints bash and zsh scripts that call __complete', () => {
        expect(completionScript('bash')).toContain('complete -F _kubectl_ivyo_upgrade kubectl-ivyo_upgrade');
        expect(completionScript('zsh')).toMatch(/^#compdef kubectl-ivyo_upgrade/);
    });
});
