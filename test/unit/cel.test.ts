import { describe, expect, it } from 'vitest';
import type { Pgcluster } from '../../src/kube/types.js';
import { FLAVORS, type FlavorName } from '../../src/targets/flavors.js';
import { inspectCluster } from '../../src/v4/model.js';
import { carry } from '../../src/v5/carry.js';
import { logicalManifest } from '../../src/v5/manifest.js';
import { customizedCapture } from '../fixtures/v4/customized.js';
import { v4Cluster } from '../fixtures/v4/cluster.js';
import { CRD_FILES, celRuleCount, celViolations } from '../support/cel.js';
import { GOLDEN_CASES, generateOffline } from '../support/golden.js';
import { snapshotOf } from '../support/snapshot.js';

/** The data comes from v4's volumes or backups. */
const PHYSICAL = { physical: true };

const CRDS: Record<FlavorName, string> = CRD_FILES;

/** The fresh cluster of a logical move to either target, with v4's configuration carried into it. */
function logicalCarried(flavor: FlavorName) {
    const snapshot = snapshotOf(v4Cluster());
    const f = FLAVORS[flavor];
    const i = inspectCluster(snapshot, snapshot.pgclusters[0] as Pgcluster, { flavor: f, installed: true, selectedBy: 'flag' });
    const m = logicalManifest(i, { flavor: f, name: 'hippo-v5', namespace: 'pgo', postgresVersion: 18 });
    return carry(m, customizedCapture(), f, { physical: false }).manifest;
}

describe('every generated manifest passes the CEL rules of the installed CRDs (x-kubernetes-validations)', () => {
    it("PGO's CRD holds rules to check; IVYO's holds none (IvorySQL/ivory-operator at d91df9f6): the schema, which the test API server checks, is all", () => {
        expect(celRuleCount(CRDS.pgo)).toBeGreaterThan(20);
        expect(celRuleCount(CRDS.ivyo)).toBe(0);
    });

    it.each(GOLDEN_CASES)('$file, and with the customized v4 configuration carried into it', (c) => {
        const { manifest } = generateOffline(c, 'pgo');
        if (!manifest) throw new Error(`${c.file}: generate refused`);
        expect(celViolations(CRDS[c.flavor], manifest)).toEqual([]);
        expect(celViolations(CRDS[c.flavor], carry(manifest, customizedCapture(), FLAVORS[c.flavor], PHYSICAL).manifest)).toEqual([]);
    });

    it.each(['pgo', 'ivyo'] as const)('the logical move to %s, carried', (flavor) => {
        expect(celViolations(CRDS[flavor], logicalCarried(flavor))).toEqual([]);
    });

    it('catches what a 1.25+ server would reject', () => {
        const m = logicalCarried('pgo');
        const bad = { ...m, spec: { ...m.spec, config: { parameters: { port: 5433, ssl_ciphers: 'HIGH' } } } };
        expect(celViolations(CRDS.pgo, bad)).toEqual(['.spec.config.parameters: change port using .spec.port instead', '.spec.config.parameters: TLS is always enabled']);
    });
});
