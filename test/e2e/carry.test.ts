import fs from 'node:fs';
import { loadAll } from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import type { V4Capture } from '../../src/v4/capture.js';
import type { CarryItem } from '../../src/v5/carry.js';
import type { V5Cluster } from '../../src/v5/cluster.js';
import { v4Cluster } from '../fixtures/v4/cluster.js';
import { CUSTOMIZED_FIXTURES } from '../fixtures/v4/customized.js';
import { capturedItems } from '../support/captured-items.js';
import { CRD_FILES, celViolations } from '../support/cel.js';
import { IMAGES } from '../support/golden.js';
import { adminClient, adminKubeconfig, createNamespace, createObjects, mintUser, run } from '../support/kube.js';
import { V4OperatorSimulator } from './simulators/v4-operator.js';

let simulator: V4OperatorSimulator | null = null;
afterEach(async () => {
    await simulator?.stop();
    expect(simulator?.errors ?? []).toEqual([]);
    simulator = null;
});

/** With -o json, the carry report is one JSON document on stderr. */
const reportOf = (stderr: string) => (JSON.parse(stderr.split('\n').find((l) => l.startsWith('{"carry":')) ?? '{"carry":[]}') as { carry: CarryItem[] }).carry;

/** Issue 11's done-when, per customized cluster: nothing lost through v4's delete, everything reported, every manifest valid. */
describe.each(CUSTOMIZED_FIXTURES)('carry of a v4 cluster with $what ($customized)', ({ customized, options }) => {
    it('from the record after the delete as from the live cluster; every captured item in the report; the server and the CEL rules take each manifest', async () => {
        const ns = await createNamespace(`carry-${customized.replace('.', '')}`);
        await createObjects(v4Cluster({ namespace: ns, ...options, customized }));
        const pgo = ['generate', 'hippo', '-n', ns, '--target', 'pgo', '--image', IMAGES.image, '--pgbackrest-image', IMAGES.pgbackrestImage];
        const ivyo = ['generate', 'hippo', '-n', ns, '--target', 'ivyo'];
        const live = { pgo: await run([...pgo, '-o', 'json']), ivyo: await run([...ivyo, '-o', 'json']) };
        for (const [target, r] of Object.entries(live)) {
            expect(r.code, `${target}: ${r.stderr}`).toBe(0);
            expect(celViolations(CRD_FILES[target as 'pgo' | 'ivyo'], JSON.parse(r.stdout)), target).toEqual([]);
        }
        for (const args of [pgo, ivyo]) {
            const validated = await run([...args, '--validate']);
            expect(validated.code, validated.stderr).toBe(0);
        }

        simulator = await new V4OperatorSimulator(adminKubeconfig(), ns).start();
        const prepared = await run(['prepare', 'hippo', '-n', ns, '--method', 'volumes', '--target', 'pgo', '--yes', '--timeout', '60s']);
        expect(prepared.code, prepared.stderr).toBe(0);
        const fromRecord = await run([...pgo, '-o', 'json']);
        expect(fromRecord.code, fromRecord.stderr).toBe(0);
        expect(JSON.parse(fromRecord.stdout)).toEqual(JSON.parse(live.pgo.stdout));
        expect(reportOf(fromRecord.stderr)).toEqual(reportOf(live.pgo.stderr));

        // Every item the record captured is in the report, for either target.
        const record = await adminClient().get<{ data: Record<string, string> }>(`/api/v1/namespaces/${ns}/configmaps/hippo-ivyo-upgrade`);
        const items = capturedItems(JSON.parse(record.data['capture.json'] ?? '') as V4Capture);
        expect(items.length).toBeGreaterThan(5);
        for (const [target, r] of Object.entries(live)) {
            const froms = reportOf(r.stderr).map((i) => i.from);
            expect(
                items.filter(([, re]) => !froms.some((f) => re.test(f))).map(([what]) => what),
                `${target} report:\n${froms.join('\n')}`,
            ).toEqual([]);
        }
    });
});

describe('where PostgreSQL parameters go, read from the installed CRD', () => {
    it("PGO 5.8's CRD has spec.config.parameters; a user who may not read CRDs gets Patroni's dynamic configuration, and the report says why", async () => {
        const ns = await createNamespace('carry-params');
        await createObjects(v4Cluster({ namespace: ns, customized: true }));
        const args = ['generate', 'hippo', '-n', ns, '--target', 'pgo', '--image', IMAGES.image, '--pgbackrest-image', IMAGES.pgbackrestImage, '-o', 'json'];
        const admin = await run(args);
        expect(admin.code, admin.stderr).toBe(0);
        const spec = (JSON.parse(admin.stdout) as V5Cluster).spec;
        expect(spec?.config?.parameters).toEqual({ log_min_duration_statement: 250, max_connections: 300, shared_buffers: '1GB', work_mem: '16MB' });
        expect(spec?.patroni?.dynamicConfiguration?.postgresql).not.toHaveProperty('parameters');

        // The namespaced role of docs/rbac.yaml only: no get of CustomResourceDefinitions (nor of PersistentVolumes).
        const namespaced = (
            loadAll(fs.readFileSync('docs/rbac.yaml', 'utf8')) as { metadata: { name: string }; rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] }[]
        ).find((r) => r.metadata.name === 'kubectl-ivyo-upgrade');
        const user = await mintUser(ns, 'no-crds', namespaced?.rules ?? []);
        const limited = await run(args, { kubeconfig: user });
        expect(limited.code, limited.stderr).toBe(0);
        const params = (JSON.parse(limited.stdout) as V5Cluster).spec?.patroni?.dynamicConfiguration?.postgresql as { parameters?: object };
        expect(params.parameters).toEqual(spec?.config?.parameters);
        expect(reportOf(limited.stderr)).toContainEqual({
            outcome: 'carried',
            from: 'parameters log_min_duration_statement, max_connections, shared_buffers, work_mem',
            to: 'spec.patroni.dynamicConfiguration.postgresql.parameters',
            why: expect.stringMatching(
                /^the CRD's schema could not be read \(CustomResourceDefinition postgresclusters\.postgres-operator\.crunchydata\.com: HTTP 403 Forbidden\)/,
            ),
        });
    });
});
