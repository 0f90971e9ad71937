import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inspection } from '../../src/v4/inspection.js';
import { installCrds } from '../../scripts/crds.js';
import { ADMIN_TOKEN } from '../../scripts/test-cluster.js';
import { SCENARIOS } from '../fixtures/v4/cluster.js';
import { adminClient, adminCluster, createNamespace, createObjects, run } from '../support/kube.js';

// This file removes CRDs from the shared server and puts them back; e2e files run one at a time.
let ns: string;
const client = () => adminClient();
const deleteCrd = async (name: string) => {
    await client().request('DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
        const { resources = [] } = await client()
            .get<{ resources?: { name: string }[] }>(`/apis/${name.split('.').slice(1).join('.')}/${name.startsWith('pgclusters') ? 'v1' : 'v1beta1'}`)
            .catch(() => ({ resources: [] }));
        if (!resources.some((r) => r.name === name.split('.')[0])) return;
        await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`CRD ${name} still served`);
};

beforeAll(async () => {
    ns = await createNamespace('crds');
    await createObjects(SCENARIOS.fresh(ns));
});

afterAll(async () => {
    await installCrds(adminCluster().server, ADMIN_TOKEN);
});

describe('inspect when CRDs are missing', () => {
    it('picks PGO v5 when only its CRD is installed, and says the IVYO CRD is missing when asked for', async () => {
        await deleteCrd('ivoryclusters.ivory-operator.ivorysql.org');
        const auto = JSON.parse((await run(['inspect', 'hippo', '-n', ns, '-o', 'json'])).stdout) as Inspection;
        expect(auto.target).toMatchObject({ flavor: 'pgo', installed: true, selectedBy: 'only-installed' });
        const asked = JSON.parse((await run(['inspect', 'hippo', '-n', ns, '-o', 'json', '--target', 'ivyo'])).stdout) as Inspection;
        expect(asked.target).toMatchObject({ flavor: 'ivyo', installed: false });
        expect(asked.methods.volumes.blockers.map((b) => b.code)).toContain('target-crd-missing');
    });

    it('exits 1 with what to check when the PGO v4 CRDs are missing', async () => {
        await deleteCrd('pgclusters.crunchydata.com');
        const r = await run(['inspect', 'hippo', '-n', ns]);
        expect(r.code).toBe(1);
        expect(r.stderr).toBe(
            'error: the server does not serve pgclusters.crunchydata.com/v1: the PGO v4 CRDs are not installed, or context "admin@test" points at another cluster\n',
        );
    });

    it('every command names the missing CRD as such, never as a missing object', async () => {
        // pgclusters (above) and ivoryclusters are gone; take postgresclusters too.
        await deleteCrd('postgresclusters.postgres-operator.crunchydata.com');
        const expectations: [string[], string][] = [
            [
                ['prepare', 'hippo', '-n', ns, '--method', 'volumes', '--target', 'pgo', '--dry-run'],
                'error: the server does not serve pgclusters.crunchydata.com/v1: the PGO v4 CRDs are not installed',
            ],
            [
                ['generate', 'hippo', '-n', ns, '--target', 'pgo'],
                'error: the server does not serve pgclusters.crunchydata.com/v1 (the PGO v4 CRDs are not installed), and no record of "hippo"',
            ],
            [
                ['apply', 'hippo', '-n', ns, '--target', 'pgo', '--dry-run'],
                'error: the server does not serve pgclusters.crunchydata.com/v1 (the PGO v4 CRDs are not installed), and no record of "hippo"',
            ],
            [
                ['release-pvc', '--all', '--cluster', 'hippo', '-n', ns, '--dry-run'],
                'error: the server does not serve ivoryclusters.ivory-operator.ivorysql.org or postgresclusters.postgres-operator.crunchydata.com: no v5 cluster can own a PVC here',
            ],
            [
                ['release-pvc', 'hippo-pgbr-repo', '-n', ns, '--dry-run'],
                'error: the server does not serve ivoryclusters.ivory-operator.ivorysql.org or postgresclusters.postgres-operator.crunchydata.com',
            ],
        ];
        for (const [args, message] of expectations) {
            const r = await run(args);
            expect(r.code, args.join(' ')).toBe(1);
            expect(r.stderr, args.join(' ')).toContain(message);
            expect(r.stderr).not.toMatch(/not found|no +named/);
        }
    });
});
