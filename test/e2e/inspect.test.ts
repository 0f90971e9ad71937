import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Inspection } from '../../src/v4/inspection.js';
import { SCENARIOS } from '../fixtures/v4/cluster.js';
import { createNamespace, createObjects, run, runBinary } from '../support/kube.js';

let ns: string;
let other: string;

beforeAll(async () => {
    ns = await createNamespace('inspect');
    other = await createNamespace('inspect-other');
    await createObjects(SCENARIOS.failover(ns));
    await createObjects(SCENARIOS.s3(other));
});

describe('inspect on a real API server', () => {
    it('prints a readable report of a failed-over cluster', async () => {
        const r = await run(['inspect', 'hippo', '-n', ns]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^Cluster: +hippo \\(namespace ${ns}\\)$`, 'm'));
        expect(r.stdout).toMatch(/Primary: +deployment hippo-jgut, pod hippo-jgut-\S+ \(agrees\)/);
        expect(r.stdout).toMatch(/^Data: +PVC hippo-jgut, directory hippo-jgut$/m);
        expect(r.stdout).toMatch(/^WAL: +PVC hippo-jgut-wal, directory hippo-jgut-wal$/m);
        expect(r.stdout).toMatch(/^hippo-jgut +data +pv-\S+ +Delete +- +ReadWriteOnce +1G +hostPath +pg-cluster,vendor$/m);
        expect(r.stdout).toMatch(/^volumes +no +1 +\d+$/m);
        expect(r.stdout).toContain('volumes: BLOCKER target-cannot-run-v4-data');
        // Plain text into a pipe: no ANSI escapes from cli-table3.
        expect(r.stdout).not.toMatch(/\u001b\[/);
    });

    it('prints the documented JSON object, with every PVC bound by the real PV binder', async () => {
        const r = await run(['inspect', 'hippo', '-n', ns, '-o', 'json']);
        expect(r.code).toBe(0);
        const i = JSON.parse(r.stdout) as Inspection;
        expect(i.cluster).toMatchObject({ name: 'hippo', namespace: ns, state: 'pgcluster Initialized', postgresMajor: 13 });
        expect(i.primary).toMatchObject({ deployment: 'hippo-jgut', pvc: 'hippo-jgut', dataDirectory: 'hippo-jgut', podCheck: 'agrees' });
        expect(i.wal).toEqual({ pvc: 'hippo-jgut-wal', directory: 'hippo-jgut-wal' });
        expect(i.replicas).toEqual([{ deployment: 'hippo', pgreplica: null, pvc: 'hippo', walPvc: 'hippo-wal', podsWanted: 1 }]);
        expect(i.repository).toMatchObject({ pvc: 'hippo-pgbr-repo', path: '/backrestrepo/hippo-backrest-shared-repo', directory: 'hippo-backrest-shared-repo', types: ['posix'] });
        expect(i.volumes.map((v) => [v.pvc, v.role, v.phase, v.pv, v.reclaimPolicy])).toEqual([
            ['hippo-jgut', 'data', 'Bound', `pv-${ns}-hippo-jgut`, 'Delete'],
            ['hippo-jgut-wal', 'wal', 'Bound', `pv-${ns}-hippo-jgut-wal`, 'Delete'],
            ['hippo-pgbr-repo', 'repo', 'Bound', `pv-${ns}-hippo-pgbr-repo`, 'Delete'],
            ['hippo', 'replica-data', 'Bound', `pv-${ns}-hippo`, 'Delete'],
            ['hippo-wal', 'replica-wal', 'Bound', `pv-${ns}-hippo-wal`, 'Delete'],
        ]);
        // Both v5 CRDs are installed, so the default target applies.
        expect(i.target).toMatchObject({ flavor: 'ivyo', kind: 'IvoryCluster', installed: true, selectedBy: 'default' });
        expect(Object.keys(i.methods)).toEqual(['volumes', 'backups', 'standby', 'logical']);
        expect(i.logical).toEqual({ name: 'hippo-v5', collisions: [], preflight: null });
        expect(i.methods.logical.ready).toBe(true);
        // Secret values never leave the server: the tool reads Secret metadata only.
        expect(r.stdout).not.toContain('password-example');
    });

    it('prints the same object as YAML', async () => {
        const [json, yaml] = await Promise.all([run(['inspect', 'hippo', '-n', ns, '-o', 'json']), run(['inspect', 'hippo', '-n', ns, '-o', 'yaml'])]);
        expect(yaml.code).toBe(0);
        expect(load(yaml.stdout)).toEqual(JSON.parse(json.stdout));
    });

    it('judges the PGO v5 target with --target pgo', async () => {
        const r = await run(['inspect', 'hippo', '-n', ns, '-o', 'json', '--target', 'pgo']);
        const i = JSON.parse(r.stdout) as Inspection;
        expect(i.target).toMatchObject({ flavor: 'pgo', kind: 'PostgresCluster', apiVersion: 'postgres-operator.crunchydata.com/v1beta1', selectedBy: 'flag' });
    });

    it('lists the clusters of every namespace with -A', async () => {
        const r = await run(['inspect', '-A']);
        expect(r.code).toBe(0);
        expect(r.stdout.split('\n')[0]).toMatch(/^NAMESPACE +NAME +STATE +PRIMARY +POSTGRES +VOLUMES +BACKUPS +STANDBY$/);
        expect(r.stdout).toMatch(new RegExp(`^${ns} +hippo +pgcluster Initialized +hippo-jgut +13 +blocked \\(1\\)`, 'm'));
        expect(r.stdout).toMatch(new RegExp(`^${other} +hippo +pgcluster Initialized +hippo +13 +blocked`, 'm'));
        const json = JSON.parse((await run(['inspect', '-A', '-o', 'json'])).stdout) as { items: Inspection[] };
        const mine = json.items.filter((i) => i.cluster.namespace === ns || i.cluster.namespace === other);
        expect(mine.map((i) => [i.cluster.namespace, i.repository.types])).toEqual(
            [
                [ns, ['posix']],
                [other, ['posix', 's3']],
            ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        );
    });

    it('lists the clusters of one namespace when no name is given', async () => {
        const r = await run(['inspect', '-n', other]);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^NAME +STATE/);
        expect(r.stdout).toMatch(/^hippo +pgcluster Initialized +hippo +13/m);
    });

    it('exits 1 for a missing cluster, naming the namespace and suggesting -A', async () => {
        const r = await run(['inspect', 'nope', '-n', ns]);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe(
            `error: pgcluster "nope" not found in namespace "${ns}": pass -n NAMESPACE, or "kubectl ivyo-upgrade inspect -A" to list the v4 clusters of every namespace\n`,
        );
    });

    it('exits 2 for an unknown flag, and for a name with -A', async () => {
        const unknown = await run(['inspect', 'hippo', '--frobnicate']);
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toMatch(/^error: unknown flag or argument: frobnicate\nSee 'kubectl ivyo-upgrade inspect --help' for usage\.\n$/);
        const both = await run(['inspect', 'hippo', '-A']);
        expect(both.code).toBe(2);
        expect(both.stderr).toContain('a cluster cannot be named together with --all-namespaces');
    });

    it('runs as `kubectl ivyo-upgrade` with dist/ on PATH', async () => {
        const r = await run(['ivyo-upgrade', 'inspect', 'hippo', '-n', ns, '-o', 'json'], {
            command: 'kubectl',
            env: { PATH: `${path.dirname(path.resolve('dist/kubectl-ivyo_upgrade'))}${path.delimiter}${process.env.PATH}` },
        });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect((JSON.parse(r.stdout) as Inspection).primary.deployment).toBe('hippo-jgut');
        const list = spawnSync('kubectl', ['plugin', 'list'], { env: { ...process.env, PATH: `${path.resolve('dist')}${path.delimiter}${process.env.PATH}` }, encoding: 'utf8' });
        expect(list.stdout).toContain(path.resolve('dist/kubectl-ivyo_upgrade'));
    });

    it('the built binary itself: data on stdout, a usage error is exit 2 with one line on stderr', async () => {
        const ok = await runBinary(['inspect', 'hippo', '-n', ns, '-o', 'json']);
        expect(ok.code, ok.stderr).toBe(0);
        expect((JSON.parse(ok.stdout) as Inspection).cluster.name).toBe('hippo');
        const bad = await runBinary(['inspect', 'hippo', '-o', 'xml']);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toBe(`error: --output must be table, json or yaml, not "xml"\nSee 'kubectl ivyo-upgrade inspect --help' for usage.\n`);
    });

    it('takes its flags anywhere after the plugin name, as README says; kubectl takes none before it', async () => {
        const env = { PATH: `${path.resolve('dist')}${path.delimiter}${process.env.PATH}` };
        const before = await run(['ivyo-upgrade', '-n', ns, 'inspect', 'hippo', '-o', 'json'], { command: 'kubectl', env });
        expect(before.code, before.stderr).toBe(0);
        expect((JSON.parse(before.stdout) as Inspection).cluster.namespace).toBe(ns);
        const kubectlFirst = await run(['-n', ns, 'ivyo-upgrade', 'inspect', 'hippo'], { command: 'kubectl', env });
        expect(kubectlFirst.code).not.toBe(0);
    });
});
