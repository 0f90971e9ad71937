import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_IMAGES, walkThrough } from '../../scripts/demo-walk.js';
import { SCENARIOS } from '../fixtures/v4/cluster.js';
import { adminKubeconfig, createNamespace, createObjects, notePrinted, PLUGIN } from '../support/kube.js';

describe('the demo walks a newcomer along the whole PGO road', () => {
    it('inspect → prepare → generate → apply → release-pvc, every command printed as typed, the simulated operators labelled', async () => {
        const ns = await createNamespace('demo');
        await createObjects(SCENARIOS.failover(ns));
        const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-'));
        let transcript = '';
        try {
            const codes = await walkThrough({ kubeconfig: adminKubeconfig(), namespace: ns, plugin: PLUGIN, workDir, print: (t) => (transcript += t) });
            // Every command of the walk runs in ns; what it printed goes to the secrets checks (test/e2e/audit.ts).
            notePrinted(['-n', ns], transcript);
            expect(codes, transcript).toEqual([0, 0, 0, 0, 0, 0]);
        } finally {
            fs.rmSync(workDir, { recursive: true, force: true });
        }
        for (const command of [
            `$ kubectl ivyo-upgrade inspect hippo -n ${ns} --target pgo`,
            `$ kubectl ivyo-upgrade prepare hippo -n ${ns} --method volumes --target pgo --dry-run`,
            `$ kubectl ivyo-upgrade prepare hippo -n ${ns} --method volumes --target pgo --yes`,
            `$ kubectl ivyo-upgrade generate hippo -n ${ns} --target pgo --image ${DEMO_IMAGES.image} --pgbackrest-image ${DEMO_IMAGES.pgbackrestImage} > hippo.yaml`,
            `$ kubectl ivyo-upgrade apply -f hippo.yaml -n ${ns} --yes`,
            `$ kubectl ivyo-upgrade release-pvc hippo-pgbr-repo -n ${ns} --yes`,
        ]) {
            expect(transcript).toContain(command);
        }
        expect(transcript).toContain('[SIMULATED PGO v4 operator started: a stand-in');
        expect(transcript).toContain('[SIMULATED PGO v5 operator stopped]');
        expect(transcript).toContain(`done: delete pgcluster hippo`);
        expect(transcript).toContain('kind: PostgresCluster');
        expect(transcript).toContain(`Done: PostgresCluster hippo runs on the v4 volumes in namespace ${ns}.`);
    });
});
