import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { expect } from 'vitest';
import type { KubeObject } from '../../src/kube/types.js';
import { mergePatch } from '../../src/kube/writes.js';
import { SCENARIOS, v4Cluster } from '../fixtures/v4/cluster.js';
import { IMAGES } from '../support/golden.js';
import { startPostgres, type Server } from '../support/postgres.js';
import { seedV4, V5_HBA } from '../support/v4-seed.js';
import { adminClient, adminKubeconfig, createObjects, run } from '../support/kube.js';
import { JobRunner } from './simulators/job-runner.js';
import { V4OperatorSimulator } from './simulators/v4-operator.js';
import { V5OperatorSimulator } from './simulators/v5-operator.js';

/**
 * The states the writing commands start from, made the way a user gets there (the commands before, with the
 * operators simulated), for the suites that run a command from each: the faults (faults.test.ts) and RBAC denied
 * per verb (bad-input.test.ts). Each returns the command line, without the user's kubeconfig; one that starts
 * PostgreSQL servers leaves them running until stopServers.
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

/** The PostgreSQL servers a seed started, by namespace: v4's and the v5 cluster's. */
const servers = new Map<string, { v4: Server; v5: Server }>();

export function serversOf(ns: string): { v4: Server; v5: Server } {
    const pair = servers.get(ns);
    if (!pair) throw new Error(`no servers were started for namespace ${ns}`);
    return pair;
}

/** Stops the servers of `ns` (of every namespace: none given). */
export async function stopServers(ns?: string): Promise<void> {
    const names = ns === undefined ? [...servers.keys()] : [ns];
    await Promise.all(names.flatMap((n) => Object.values(servers.get(n) ?? {}).map((s: Server) => s.stop())));
    for (const n of names) servers.delete(n);
}

/**
 * The operators of the logical move in `ns`: the target's simulated, and the JobRunner in a kubelet's place,
 * running each Job's script between the namespace's servers, or those given (hippo: v4; `<v5Name>-primary`: the
 * v5 cluster).
 */
export function logicalOperators(
    ns: string,
    { v4, v5 } = serversOf(ns),
    flavor: 'ivyo' | 'pgo' = 'ivyo',
    v5Name = 'hippo-v5',
): { stop(): Promise<void>; readonly errors: unknown[] } {
    const at = (pg: Server) => ({ host: '127.0.0.1', port: pg.port });
    const operator = new V5OperatorSimulator(adminClient(), flavor, ns).start();
    const runner = new JobRunner(adminClient(), ns, { hippo: at(v4), [`${v5Name}-primary`]: at(v5) }).start();
    return {
        stop: async () => {
            await runner.stop();
            await operator.stop();
        },
        get errors() {
            return [...operator.errors, ...runner.errors];
        },
    };
}

/**
 * A PostgreSQL 13 seeded as v4 (its application user's password its Secret's) and a fresh PostgreSQL 18 for an
 * IvoryCluster, with what IVYO makes on bootstrap (its superuser ivorysql: IVYO internal/ivory/users.go), both of
 * `ns` until stopServers.
 */
async function startServers(ns: string): Promise<{ v4: Server; v5: Server }> {
    const [v4, v5] = await Promise.all([startPostgres(13), startPostgres(18, { hba: ['host all ivorysql 127.0.0.1/32 trust', ...V5_HBA] })]);
    servers.set(ns, { v4, v5 });
    seedV4(v4);
    v4.psql("alter role hippo password 'hippo-password-example'");
    v5.psql('create role ivorysql superuser login');
    return { v4, v5 };
}

/**
 * A v4 cluster (a PostgreSQL 13 of its own, seeded) replicated into a fresh IvoryCluster hippo-v5 (a PostgreSQL
 * 18 of its own) by prepare --method logical and apply --copy replicate, their Jobs run for real: cutover's start.
 * Its servers run until stopServers.
 */
export async function replicatingForCutover(ns: string): Promise<string[]> {
    const { v4 } = await startServers(ns);
    // Replication needs a key or a replica identity on every table.
    v4.psql('alter table events replica identity full', 'hippo');
    await createObjects(v4Cluster({ namespace: ns }));
    const operators = logicalOperators(ns);
    const v4Operator = await new V4OperatorSimulator(adminKubeconfig(), ns).start();
    for (const argv of [
        ['prepare', 'hippo', '-n', ns, '--method', 'logical', '--yes', '--timeout', '60s'],
        ['apply', 'hippo', '-n', ns, '--copy', 'replicate', '--yes', '--timeout', '90s'],
    ]) {
        const r = await run(argv);
        expect(r.code, r.stderr).toBe(0);
    }
    await v4Operator.stop();
    await operators.stop();
    expect([...v4Operator.errors, ...operators.errors]).toEqual([]);
    return ['cutover', 'hippo', '-n', ns, '--yes', '--timeout', '60s'];
}
