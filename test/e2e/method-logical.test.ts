import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/kube/types.js';
import { v4Cluster } from '../fixtures/v4/cluster.js';
import { adminClient, adminKubeconfig, createNamespace, createObjects, run } from '../support/kube.js';
import { startPostgres, type Server } from '../support/postgres.js';
import { contentHash, SEEDED_TABLES, seedV4, V5_HBA } from '../support/v4-seed.js';
import { JobRunner } from './simulators/job-runner.js';
import { V4OperatorSimulator } from './simulators/v4-operator.js';
import { V5OperatorSimulator } from './simulators/v5-operator.js';

/**
 * The logical move end to end: the real API server and Job controller, the operators simulated, and each Job's
 * script run for real (by the JobRunner, in a kubelet's place) from a PostgreSQL 13 standing for v4 into a
 * PostgreSQL 18 standing for the v5 cluster.
 */
const simulators: { stop(): Promise<void>; errors: unknown[] }[] = [];
afterEach(async () => {
    for (const s of simulators.splice(0)) {
        await s.stop();
        expect(s.errors).toEqual([]);
    }
});

/** v4's servers as its fixture names them: the application user's password is its Secret's. */
async function servers(): Promise<{ v4: Server; v5: Server }> {
    const [v4, v5] = await Promise.all([startPostgres(13), startPostgres(18, { hba: ['host all ivorysql 127.0.0.1/32 trust', ...V5_HBA] })]);
    seedV4(v4);
    v4.psql("alter role hippo password 'hippo-password-example'");
    // What the v5 operator makes on bootstrap: its superuser (IVYO internal/ivory/users.go; PGO's is postgres).
    v5.psql('create role ivorysql superuser login');
    return { v4, v5 };
}

async function namespaceWith(prefix: string, v4: Server, v5: Server, v5Name: string, operator: 'ivyo' | 'pgo'): Promise<{ ns: string; runner: JobRunner }> {
    const ns = await createNamespace(prefix);
    await createObjects(v4Cluster({ namespace: ns }));
    simulators.push(await new V4OperatorSimulator(adminKubeconfig(), ns).start());
    simulators.push(new V5OperatorSimulator(adminClient(), operator, ns).start());
    const runner = new JobRunner(adminClient(), ns, { hippo: { host: '127.0.0.1', port: v4.port }, [`${v5Name}-primary`]: { host: '127.0.0.1', port: v5.port } });
    simulators.push(runner.start());
    return { ns, runner };
}

const jobs = (ns: string) => adminClient().list<Job>(`/apis/batch/v1/namespaces/${ns}/jobs`, { labelSelector: 'app.kubernetes.io/managed-by=kubectl-ivyo-upgrade' });

describe('the logical move to PGO v5, by dump, end to end: a move and a major upgrade (13 → 18) in one', () => {
    let v4: Server;
    let v5: Server;
    beforeAll(async () => {
        ({ v4, v5 } = await servers());
    }, 60_000);
    afterAll(async () => {
        await v4?.stop();
        await v5?.stop();
    });

    it('apply --method logical copies every database into a fresh PostgresCluster and prints what clients change', async () => {
        const { ns, runner } = await namespaceWith('logical-dump', v4, v5, 'hippo-18', 'pgo');
        const logs = () => [...runner.logs.entries()].map(([pod, log]) => `--- ${pod}\n${log}`).join('\n');
        const plan = await run(['apply', 'hippo', '-n', ns, '--target', 'pgo', '--method', 'logical', '--name', 'hippo-18', '--dry-run']);
        expect(plan.code).toBe(0);
        expect(plan.stderr).toContain('note: writes to v4 cluster hippo must stop for the whole copy');
        expect(plan.stdout).toContain('create Job hippo-18-ivyo-upgrade-copy');
        expect(await jobs(ns)).toEqual([]);

        const applied = await run(['apply', 'hippo', '-n', ns, '--target', 'pgo', '--method', 'logical', '--name', 'hippo-18', '--yes', '--timeout', '90s']);
        expect(applied.code, `${applied.stderr}${logs()}`).toBe(0);
        expect(applied.stdout.split('\n')[1]).toMatch(/^Service \(host\) +hippo +hippo-18-primary \(port 5432\)$/);
        for (const t of SEEDED_TABLES) expect(contentHash(v5, t), t).toBe(contentHash(v4, t));
        expect(v5.login('hippo', 'hippo-password-example', 'hippo')).toEqual({ ok: true, output: 'hippo' });
        const job = (await jobs(ns)).find((j) => j.metadata.name === 'hippo-18-ivyo-upgrade-copy');
        expect(job?.spec?.template?.spec?.containers[0]?.image).toBe('registry.developers.crunchydata.com/crunchydata/crunchy-postgres:ubi9-18.6-2633');
        expect(job?.spec?.template?.spec?.containers[0]?.env?.find((e) => e.name === 'TARGET_USER')?.valueFrom?.secretKeyRef?.name).toBe('hippo-18-pguser-postgres');

        const again = await run(['apply', 'hippo', '-n', ns, '--target', 'pgo', '--method', 'logical', '--name', 'hippo-18', '--yes']);
        expect(again.code).toBe(0);
        expect(again.stderr).toContain('Nothing to do');
    }, 240_000);
});
