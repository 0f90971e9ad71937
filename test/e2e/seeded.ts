import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { expect } from 'vitest';
import type { KubeObject } from '../../src/kube/types.js';
import { mergePatch } from '../../src/kube/writes.js';
import { SCENARIOS, v4Cluster } from '../fixtures/v4/cluster.js';
import { IMAGES } from '../support/golden.js';
import { adminClient, adminKubeconfig, createObjects, run } from '../support/kube.js';
import { V4OperatorSimulator } from './simulators/v4-operator.js';
import { V5OperatorSimulator } from './simulators/v5-operator.js';

/**
 * The states the writing commands start from, made the way a user gets there (the commands before, with the
 * operators simulated), for the suites that run a command from each: the faults (faults.test.ts) and RBAC denied
 * per verb (bad-input.test.ts). Each returns the command line, without the user's kubeconfig.
 */

const IMAGE_FLAGS = ['--image', IMAGES.image, '--pgbackrest-image', IMAGES.pgbackrestImage];

function writeFile(text: string): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'seeded-')), 'hippo.json');
    fs.writeFileSync(file, text);
    return file;
}

/** A failed-over v4 cluster (primary hippo-jgut, replica hippo, a WAL volume): prepare's start. */
export async function v4ForPrepare(ns: string): Promise<string[]> {
    await createObjects(v4Cluster({ namespace: ns, primary: 'hippo-jgut', replicas: ['hippo'], wal: true }));
    return ['prepare', 'hippo', '-n', ns, '--method', 'volumes', '--target', 'pgo', '--yes', '--timeout', '60s'];
}

/** A running v4 cluster, for the logical move by dump into a fresh PostgresCluster hippo-18: apply's start. */
export async function v4ForLogical(ns: string): Promise<string[]> {
    await createObjects(v4Cluster({ namespace: ns }));
    return ['apply', 'hippo', '-n', ns, '--target', 'pgo', '--method', 'logical', '--name', 'hippo-18', '--yes', '--timeout', '90s'];
}

/** That cluster prepared (v4 gone, its PVCs kept) and a PostgresCluster generated from it: apply -f's start. */
export async function preparedForApply(ns: string): Promise<string[]> {
    const prepare = await v4ForPrepare(ns);
    const v4 = await new V4OperatorSimulator(adminKubeconfig(), ns).start();
    const prepared = await run(prepare);
    await v4.stop();
    expect(prepared.code, prepared.stderr).toBe(0);
    expect(v4.errors).toEqual([]);
    const generated = await run(['generate', 'hippo', '-n', ns, '--target', 'pgo', ...IMAGE_FLAGS]);
    expect(generated.code, generated.stderr).toBe(0);
    return ['apply', 'hippo', '-f', writeFile(generated.stdout), '-n', ns, '--yes', '--timeout', '60s'];
}

/** A PostgresCluster that adopted v4's data, WAL and repo PVCs, then shut down: release-pvc's start. */
export async function adoptedForRelease(ns: string): Promise<string[]> {
    const volumes = v4Cluster({ namespace: ns, primary: 'hippo-jgut', wal: true }).filter((o) => o.kind === 'PersistentVolume' || o.kind === 'PersistentVolumeClaim');
    await createObjects(volumes.filter((o) => ['hippo-jgut', 'hippo-jgut-wal', 'hippo-pgbr-repo'].some((n) => o.metadata.name.endsWith(n))));
    const manifest = load(fs.readFileSync(path.resolve('test/fixtures/golden/volumes-failover-pgo.yaml'), 'utf8')) as KubeObject;
    manifest.metadata.namespace = ns;
    const v5 = new V5OperatorSimulator(adminClient(), 'pgo', ns).start();
    const applied = await run(['apply', '-f', writeFile(JSON.stringify(manifest)), '--yes', '--timeout', '120s']);
    await v5.stop();
    expect(applied.code, applied.stderr).toBe(0);
    expect(v5.errors).toEqual([]);
    await mergePatch(adminClient(), `/apis/postgres-operator.crunchydata.com/v1beta1/namespaces/${ns}/postgresclusters/hippo`, { spec: { shutdown: true } });
    return ['release-pvc', '--all', '--cluster', 'hippo', '-n', ns, '--yes'];
}

/**
 * A running v4 cluster with an S3 repository, and beside it a PostgresCluster standby following that repository,
 * applied: promote's start (told the replay was checked, as no pod runs here to check it in).
 */
export async function standbyForPromote(ns: string): Promise<string[]> {
    await createObjects(SCENARIOS.s3(ns));
    const prepared = await run(['prepare', 'hippo', '-n', ns, '--method', 'standby', '--target', 'pgo', '--yes']);
    expect(prepared.code, prepared.stderr).toBe(0);
    const v5 = new V5OperatorSimulator(adminClient(), 'pgo', ns).start();
    const applied = await run(['apply', 'hippo', '-n', ns, '--method', 'standby', '--target', 'pgo', ...IMAGE_FLAGS, '--yes', '--timeout', '60s']);
    await v5.stop();
    expect(applied.code, applied.stderr).toBe(0);
    expect(v5.errors).toEqual([]);
    return ['promote', 'hippo', '-n', ns, '--confirm-replayed', '--yes', '--timeout', '60s'];
}
