import { describe, expect, it } from 'vitest';
import { v4Cluster } from '../fixtures/v4/cluster.js';
import { IMAGES } from '../support/golden.js';
import { adminClient, adminKubeconfig, createNamespace, createObjects, namespaceVersions, run } from '../support/kube.js';
import { V4OperatorSimulator } from './simulators/v4-operator.js';
import { V5OperatorSimulator } from './simulators/v5-operator.js';

const IMAGE_FLAGS = ['--image', IMAGES.image, '--pgbackrest-image', IMAGES.pgbackrestImage];
const MODES = [['--dry-run'], ['--dry-run=client'], ['--dry-run=server', '--yes'], ['--dry-run', '--yes']];

/**
 * Every command that writes, in every dry-run form, against a namespace where it would have work to do: the
 * resourceVersion of every pgcluster, pgtask, PVC, PV, ConfigMap, Secret and v5 cluster is the same after.
 */
async function expectNoWrite(ns: string, args: string[], check: (mode: string[], r: Awaited<ReturnType<typeof run>>) => void): Promise<void> {
    for (const mode of MODES) {
        const before = await namespaceVersions(ns);
        const r = await run([...args, ...mode]);
        check(mode, r);
        expect(await namespaceVersions(ns), `${args.join(' ')} ${mode.join(' ')}`).toEqual(before);
    }
}

const isClient = (mode: string[]) => mode[0] !== '--dry-run=server';

describe('a dry run never writes: prepare, apply and release-pvc, bare --dry-run, =client and =server', () => {
    it('through the whole PGO road, before and after each real step', async () => {
        const ns = await createNamespace('dry-run');
        await createObjects(v4Cluster({ namespace: ns, primary: 'hippo-jgut', replicas: ['hippo'], wal: true }));

        // prepare, with v4 running: the plan on stdout for a client dry run, the server's word for each write.
        await expectNoWrite(ns, ['prepare', 'hippo', '-n', ns, '--method', 'volumes', '--target', 'pgo'], (mode, r) => {
            expect(r.code, r.stderr).toBe(0);
            if (isClient(mode)) expect(r.stdout).toContain(`Plan to prepare v4 cluster hippo in namespace ${ns}`);
            else expect(r.stderr).toContain('accepted by the server (dry run): delete pgcluster hippo');
            // A server dry run persists nothing, so it asks nothing (no terminal here, and it still runs).
            expect(r.stderr).not.toContain('refusing to change the cluster without confirmation');
        });

        // apply before prepare: a client dry run previews the whole plan, saying prepare comes first.
        await expectNoWrite(ns, ['apply', 'hippo', '-n', ns, '--target', 'pgo', ...IMAGE_FLAGS], (mode, r) => {
            if (isClient(mode)) {
                expect(r.code, r.stderr).toBe(0);
                expect(r.stderr).toContain(
                    `note: pgcluster hippo still exists, so this is only a preview: run "kubectl ivyo-upgrade prepare hippo -n ${ns} --method volumes --target pgo" first`,
                );
                expect(r.stdout).toContain('create PostgresCluster hippo');
            } else {
                expect(r.code).toBe(3);
                expect(r.stderr).toContain('still exists');
            }
        });

        const v4 = await new V4OperatorSimulator(adminKubeconfig(), ns).start();
        const prepared = await run(['prepare', 'hippo', '-n', ns, '--method', 'volumes', '--target', 'pgo', '--yes', '--timeout', '60s']);
        await v4.stop();
        expect(v4.errors).toEqual([]);
        expect(prepared.code, prepared.stderr).toBe(0);

        // apply after prepare: every write (password copy, cluster create) checked by the server, none kept.
        await expectNoWrite(ns, ['apply', 'hippo', '-n', ns, '--target', 'pgo', ...IMAGE_FLAGS], (mode, r) => {
            expect(r.code, r.stderr).toBe(0);
            if (isClient(mode)) expect(r.stdout).toContain(`Plan to apply PostgresCluster hippo in namespace ${ns}`);
            else expect(r.stderr).toContain('accepted by the server (dry run): create PostgresCluster hippo');
        });

        // The same from a manifest on stdin (apply -f -), as a pipe from generate gives it.
        const manifest = await run(['generate', 'hippo', '-n', ns, '--target', 'pgo', ...IMAGE_FLAGS]);
        expect(manifest.code, manifest.stderr).toBe(0);
        const before = await namespaceVersions(ns);
        const piped = await run(['apply', '-f', '-', '-n', ns, '--dry-run'], { stdin: manifest.stdout });
        expect(piped.code, piped.stderr).toBe(0);
        expect(piped.stdout).toContain(`Plan to apply PostgresCluster hippo in namespace ${ns} over the volumes of v4 cluster hippo:`);
        expect(await namespaceVersions(ns)).toEqual(before);

        const v5 = new V5OperatorSimulator(adminClient(), 'pgo', ns).start();
        const applied = await run(['apply', 'hippo', '-n', ns, '--target', 'pgo', ...IMAGE_FLAGS, '--yes', '--timeout', '60s']);
        await v5.stop();
        expect(v5.errors).toEqual([]);
        expect(applied.code, applied.stderr).toBe(0);

        // release-pvc of the adopted repo PVC (allowed while the cluster runs).
        await expectNoWrite(ns, ['release-pvc', 'hippo-pgbr-repo', '-n', ns], (mode, r) => {
            expect(r.code, r.stderr).toBe(0);
            if (isClient(mode)) expect(r.stdout).toContain(`Plan to release PVC hippo-pgbr-repo from PostgresCluster hippo in namespace ${ns}`);
            else expect(r.stderr).toContain('accepted by the server (dry run): remove the ownerReference to PostgresCluster hippo from PVC hippo-pgbr-repo');
        });
    });
});
