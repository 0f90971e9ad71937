import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { v4Cluster } from '../fixtures/v4/cluster.js';
import { adminKubeconfig, createNamespace, createObjects } from '../support/kube.js';

let ns: string;
beforeAll(async () => {
    ns = await createNamespace('complete');
    await createObjects(v4Cluster({ namespace: ns, name: 'hippo' }));
    await createObjects(v4Cluster({ namespace: ns, name: 'rhino' }));
});

// kubectl (1.26+) completes a plugin's arguments by running kubectl_complete-<plugin> from PATH.
const kubectlComplete = (...words: string[]) =>
    spawnSync('kubectl', ['__complete', 'ivyo-upgrade', ...words], {
        env: { ...process.env, KUBECONFIG: adminKubeconfig(), PATH: `${path.resolve('dist')}${path.delimiter}${path.resolve('scripts')}${path.delimiter}${process.env.PATH}` },
        encoding: 'utf8',
    });

describe('kubectl completes kubectl ivyo-upgrade through kubectl_complete-ivyo_upgrade', () => {
    it('offers the v4 clusters of the namespace, read from the cluster', () => {
        const r = kubectlComplete('inspect', '-n', ns, '');
        expect(r.stdout.split('\n').filter((l) => l && !l.startsWith(':') && !l.startsWith('Completion ended'))).toEqual(['hippo', 'rhino']);
    });

    it('offers namespaces after -n, and subcommands first', () => {
        expect(kubectlComplete('inspect', '-n', 'complete-').stdout).toContain(ns);
        expect(kubectlComplete('pre').stdout.split('\n')[0]).toBe('prepare');
    });
});
