import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Io } from '../../src/io.js';
import { KubeClient, type RequestOptions } from '../../src/kube/client.js';
import { explainKubeError } from '../../src/kube/errors.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { mergePatch } from '../../src/kube/writes.js';
import type { PersistentVolumeClaim, Pgcluster } from '../../src/kube/types.js';
import { runProcedure } from '../../src/plan/execute.js';
import { prepareCluster } from '../../src/plan/prepare-procedure.js';
import { FLAVORS } from '../../src/targets/flavors.js';
import { v4Cluster } from '../fixtures/v4/cluster.js';
import { adminClient, adminKubeconfig, createNamespace, createObjects, run } from '../support/kube.js';
import { V4OperatorSimulator } from './simulators/v4-operator.js';

/**
 * A concurrent writer between prepare's last read and its DELETE of the pgcluster: it strips keep-data, as a
 * person or a GitOps tool reverting the annotation would. The real API server must answer 409 and delete
 * nothing, because the DELETE carries the object's uid and resourceVersion as preconditions.
 */
class RacingClient extends KubeClient {
    raced = 0;
    constructor(private readonly onDelete: (path: string) => Promise<void>) {
        const cfg = loadKubeconfig({ kubeconfig: adminKubeconfig(), env: {} });
        super(cfg.kc, cfg.server, 30_000, cfg.contextName);
    }
    override async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
        // The real DELETE, not the dry run the executor sends first to check it is permitted.
        if (method === 'DELETE' && path.includes('/pgclusters/') && opts.query?.dryRun !== 'All' && this.raced === 0) {
            this.raced++;
            await this.onDelete(path);
        }
        return super.request<T>(method, path, opts);
    }
}

function quietIo(): { io: Io; stderr: () => string } {
    let err = '';
    const io: Io = { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) }, stdin: new PassThrough(), env: {} };
    return { io, stderr: () => err };
}

let simulator: V4OperatorSimulator | undefined;
afterEach(async () => {
    await simulator?.stop();
    expect(simulator?.errors ?? []).toEqual([]);
    simulator = undefined;
});

describe('the pgcluster DELETE carries preconditions the API server enforces', () => {
    it('a change between the last read and the delete gets 409: nothing deleted, every PVC kept; a re-run finishes', async () => {
        const ns = await createNamespace('delete-race');
        await createObjects(v4Cluster({ namespace: ns, wal: true }));
        const admin = adminClient();
        const pgclusterPath = `/apis/crunchydata.com/v1/namespaces/${ns}/pgclusters/hippo`;
        // The v4 operator runs throughout: had the delete gone through without keep-data, it would delete the PVCs.
        simulator = await new V4OperatorSimulator(adminKubeconfig(), ns).start();

        const client = new RacingClient(async () => {
            await mergePatch(admin, pgclusterPath, { metadata: { annotations: { 'keep-data': null } } });
        });
        const target = { flavor: FLAVORS.pgo, installed: true, selectedBy: 'flag' as const };
        const options = { method: 'volumes' as const, deleteData: false, backupType: 'full' as const, deleteReplicaData: false, keepV4Labels: false };
        const { io } = quietIo();
        const procedure = prepareCluster(client, ns, 'hippo', target, options, () => undefined);
        const failure = await runProcedure(procedure, { io, yes: true, dryRun: 'none', output: 'table', timeoutMs: 30_000, pollMs: 200 }).then(
            () => null,
            (e: unknown) => e,
        );
        expect(client.raced).toBe(1);
        expect(failure).not.toBeNull();
        expect(explainKubeError(failure)?.message).toMatch(/^conflict: pgclusters\.crunchydata\.com "hippo" in namespace ".*" changed while this command ran/);

        // Nothing deleted: the pgcluster is there without keep-data, as the racing writer left it.
        const pgcluster = await admin.get<Pgcluster>(pgclusterPath);
        expect(pgcluster.metadata.deletionTimestamp).toBeUndefined();
        expect(pgcluster.metadata.annotations?.['keep-data']).toBeUndefined();
        // The v4 operator (simulated) acts on a pgcluster's DELETED event only; none came, as the object is still there.
        const pvcs = await admin.list<PersistentVolumeClaim>(`/api/v1/namespaces/${ns}/persistentvolumeclaims`);
        expect(pvcs.map((p) => [p.metadata.name, Boolean(p.metadata.deletionTimestamp)]).sort()).toEqual([
            ['hippo', false],
            ['hippo-pgbr-repo', false],
            ['hippo-wal', false],
        ]);

        // A re-run reads the cluster again, puts keep-data back, and finishes.
        const r = await run(['prepare', 'hippo', '-n', ns, '--method', 'volumes', '--target', 'pgo', '--yes', '--timeout', '60s']);
        expect(r.stderr).not.toContain('error');
        expect(r.code).toBe(0);
        expect(r.stderr).toContain('done: annotate pgcluster hippo keep-data and keep-backups');
        expect(r.stderr).toContain('done: delete pgcluster hippo');
        const after = await admin.list<PersistentVolumeClaim>(`/api/v1/namespaces/${ns}/persistentvolumeclaims`);
        expect(after.map((p) => [p.metadata.name, Boolean(p.metadata.deletionTimestamp)]).sort()).toEqual([
            ['hippo', false],
            ['hippo-pgbr-repo', false],
            ['hippo-wal', false],
        ]);
    });
});
