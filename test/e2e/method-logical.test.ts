import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Job, KubeObject } from '../../src/kube/types.js';
import type { Inspection } from '../../src/v4/inspection.js';
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

/**
 * v4's and v5's servers for the tests of one describe, started before them and stopped after: v4 as its fixture
 * names it (the application user's password is its Secret's), v5 with what its operator makes on bootstrap.
 */
function servers(): { v4: Server; v5: Server } {
    const s = {} as { v4: Server; v5: Server };
    beforeAll(async () => {
        const [v4, v5] = await Promise.all([startPostgres(13), startPostgres(18, { hba: ['host all ivorysql 127.0.0.1/32 trust', ...V5_HBA] })]);
        seedV4(v4);
        v4.psql("alter role hippo password 'hippo-password-example'");
        // The v5 operator's superuser (IVYO internal/ivory/users.go; PGO's is postgres).
        v5.psql('create role ivorysql superuser login');
        Object.assign(s, { v4, v5 });
    }, 60_000);
    afterAll(async () => {
        await s.v4?.stop();
        await s.v5?.stop();
    });
    return s;
}

/** A namespace with the v4 fixture, the operators simulated and a JobRunner; `logs` is what each Job's pod printed. */
async function namespaceWith(prefix: string, v4: Server, v5: Server, v5Name: string, operator: 'ivyo' | 'pgo'): Promise<{ ns: string; logs: () => string }> {
    const ns = await createNamespace(prefix);
    await createObjects(v4Cluster({ namespace: ns }));
    simulators.push(await new V4OperatorSimulator(adminKubeconfig(), ns).start());
    simulators.push(new V5OperatorSimulator(adminClient(), operator, ns).start());
    const runner = new JobRunner(adminClient(), ns, { hippo: { host: '127.0.0.1', port: v4.port }, [`${v5Name}-primary`]: { host: '127.0.0.1', port: v5.port } });
    simulators.push(runner.start());
    return { ns, logs: () => [...runner.logs.entries()].map(([pod, log]) => `--- ${pod}\n${log}`).join('\n') };
}

const inspect = async (ns: string) => JSON.parse((await run(['inspect', 'hippo', '-n', ns, '-o', 'json'])).stdout) as Inspection;
const jobs = (ns: string) => adminClient().list<Job>(`/apis/batch/v1/namespaces/${ns}/jobs`, { labelSelector: 'app.kubernetes.io/managed-by=kubectl-ivyo-upgrade' });

describe('the logical move to IVYO, by replication and a cut-over, end to end', () => {
    const pg = servers();

    it('inspect → prepare → apply --copy replicate → cutover → cutover --undo', async () => {
        const { v4, v5 } = pg;
        const { ns, logs } = await namespaceWith('logical-replicate', v4, v5, 'hippo-v5', 'ivyo');

        // inspect: the logical move is the one road to IVYO, ready; what SQL would tell is not read yet.
        const before = await inspect(ns);
        expect(before.methods.logical).toMatchObject({ ready: true, blockers: [] });
        expect(before.methods.volumes.blockers.map((b) => b.code)).toContain('target-cannot-run-v4-data');
        expect(before.methods.logical.warnings.map((w) => w.code)).toEqual(['preflight-not-read']);

        // prepare: a Job reads v4 through SQL, and its answer is recorded; v4 is untouched.
        const prepared = await run(['prepare', 'hippo', '-n', ns, '--method', 'logical', '--yes', '--timeout', '30s']);
        expect(prepared.code, `${prepared.stderr}${logs()}`).toBe(0);
        const read = await inspect(ns);
        expect(read.logical.preflight?.facts.server.databases.map((d) => d.name)).toEqual(['hippo', 'postgres']);
        expect(read.methods.logical.warnings.map((w) => w.code)).toContain('replicate-no-replica-identity');
        expect(await adminClient().get(`/apis/crunchydata.com/v1/namespaces/${ns}/pgclusters/hippo`)).toBeTruthy();

        // apply --copy replicate is refused while a table has no key: v4 would refuse its UPDATEs once published.
        const refused = await run(['apply', 'hippo', '-n', ns, '--copy', 'replicate', '--yes']);
        expect(refused.code).toBe(3);
        expect(refused.stderr).toContain('error: --copy replicate cannot work here:\n  no-replica-identity: database hippo: public.events have no primary key or replica identity');
        expect(refused.stderr).toContain(`("kubectl ivyo-upgrade prepare hippo -n ${ns} --method logical")`);
        expect(refused.stderr).toContain(`("kubectl ivyo-upgrade apply hippo -n ${ns} --copy dump")`);
        expect(await adminClient().list<KubeObject>(`/apis/ivory-operator.ivorysql.org/v1beta1/namespaces/${ns}/ivoryclusters`)).toEqual([]);

        // The DBA fixes it on v4, prepare reads v4 afresh, and the move goes on.
        v4.psql('alter table events replica identity full', 'hippo');
        const reread = await run(['prepare', 'hippo', '-n', ns, '--method', 'logical', '--yes', '--timeout', '30s']);
        expect(reread.code, `${reread.stderr}${logs()}`).toBe(0);
        expect((await inspect(ns)).methods.logical.warnings.map((w) => w.code)).not.toContain('replicate-no-replica-identity');

        // generate: the fresh IvoryCluster to review, PostgreSQL 18 in IVYO's own image, no dataSource, v4's user kept.
        const generated = await run(['generate', 'hippo', '-n', ns, '-o', 'json']);
        expect(generated.code, generated.stderr).toBe(0);
        const manifest = JSON.parse(generated.stdout) as { kind: string; metadata: { name: string }; spec: Record<string, unknown> };
        expect(manifest).toMatchObject({ kind: 'IvoryCluster', metadata: { name: 'hippo-v5' }, spec: { postgresVersion: 18, users: [{ name: 'ivorysql' }, { name: 'hippo' }] } });
        expect(manifest.spec.dataSource).toBeUndefined();
        const taken = await run(['generate', 'hippo', '-n', ns, '--name', 'hippo']);
        expect(taken.code).toBe(3);
        expect(taken.stderr).toContain(`ConfigMap hippo-config exists in namespace ${ns}, and the v5 cluster hippo would create it while v4 still runs`);

        const applied = await run(['apply', 'hippo', '-n', ns, '--copy', 'replicate', '--yes', '--timeout', '45s']);
        expect(applied.code, `${applied.stderr}${logs()}`).toBe(0);
        expect(applied.stderr).toContain('kubectl ivyo-upgrade cutover hippo -n');
        // A move by replication needs no downtime for a dump: that warning is left out.
        expect(applied.stderr).not.toContain('dump-downtime');
        // What the Job found, from its pod's termination message: every table synchronised, and the lag.
        expect(applied.stderr).toMatch(
            /Job hippo-v5-ivyo-upgrade-replicate reported:\n {2}replicate: database hippo: 3 of 3 tables synchronised\n {2}replicate: lag of ivyo_upgrade_\d+: \d+ bytes\n/,
        );
        // The copy ran in the operator's image, with every credential a Secret reference.
        const job = (await jobs(ns)).find((j) => j.metadata.name === 'hippo-v5-ivyo-upgrade-replicate');
        expect(job?.spec?.template?.spec?.containers[0]?.image).toBe('docker.io/ivorysql/ivorysql:ubi9-5.4-5.4-1');
        expect(JSON.stringify(await jobs(ns))).not.toMatch(/password-example|generated-ivorysql/);
        // The v4 password of hippo went into the Secret IVYO reads, in the cluster.
        const secret = await adminClient().get<{ data: Record<string, string> }>(`/api/v1/namespaces/${ns}/secrets/hippo-v5-pguser-hippo`);
        expect(Buffer.from(secret.data.password ?? '', 'base64').toString()).toBe('hippo-password-example');

        // v4 takes writes after the copy; the cut-over carries them.
        v4.psql("insert into orders (note) select 'after the copy ' || i from generate_series(1, 50) i", 'hippo');
        const cut = await run(['cutover', 'hippo', '-n', ns, '--yes', '--timeout', '30s', '-o', 'json']);
        expect(cut.code, `${cut.stderr}${logs()}`).toBe(0);
        expect(JSON.parse(cut.stdout).changes.slice(0, 2)).toEqual([
            { object: 'Service (host)', v4: 'hippo', v5: 'hippo-v5-primary (port 5432)' },
            { object: 'Secret of user hippo', v4: 'hippo-hippo-secret (keys username, password)', v5: 'hippo-v5-pguser-hippo (keys user, password, host, port)' },
        ]);
        expect(cut.stderr).toContain('pgo delete cluster hippo -n');
        expect(cut.stderr).toContain('Job hippo-v5-ivyo-upgrade-cutover reported:\n  cutover: the target has replayed everything the source wrote (up to ');
        expect(cut.stderr).toContain('  cutover: every table has as many rows on the target as on the source\n');
        for (const t of SEEDED_TABLES) expect(contentHash(v5, t), t).toBe(contentHash(v4, t));
        expect(v4.psql("select count(*) from pg_replication_slots where slot_name like 'ivyo_upgrade_%'")).toBe('0');
        expect(v4.login('hippo', 'hippo-password-example', 'hippo').ok).toBe(false);
        expect(v5.login('hippo', 'hippo-password-example', 'hippo')).toEqual({ ok: true, output: 'hippo' });
        // v4 is never deleted by this method.
        expect(await adminClient().get(`/apis/crunchydata.com/v1/namespaces/${ns}/pgclusters/hippo`)).toBeTruthy();

        const again = await run(['cutover', 'hippo', '-n', ns, '--yes']);
        expect(again.code).toBe(0);
        expect(again.stderr).toContain('Nothing to do');

        const undo = await run(['cutover', 'hippo', '-n', ns, '--undo', '--yes', '--timeout', '30s']);
        expect(undo.code, `${undo.stderr}${logs()}`).toBe(0);
        expect(v4.login('hippo', 'hippo-password-example', 'hippo')).toEqual({ ok: true, output: 'hippo' });
    }, 240_000);
});

describe('the logical move to PGO v5, by dump, end to end: a move and a major upgrade (13 → 18) in one', () => {
    const pg = servers();

    it('apply --method logical copies every database into a fresh PostgresCluster and prints what clients change', async () => {
        const { v4, v5 } = pg;
        const { ns, logs } = await namespaceWith('logical-dump', v4, v5, 'hippo-18', 'pgo');
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
