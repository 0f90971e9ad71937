import fs from 'node:fs';
import { dump, loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { mergedRules, PERMISSIONS, rbacManifests } from '../../src/rbac.js';

describe('permissions, one source of truth', () => {
    it('docs/rbac.yaml is rendered from it (UPDATE_GOLDEN=1 rewrites it)', () => {
        const text = `# Generated from src/rbac.ts by test/unit/rbac.test.ts (UPDATE_GOLDEN=1); do not edit by hand.\n# Bind kubectl-ivyo-upgrade with a RoleBinding in each namespace to upgrade (a ClusterRoleBinding for -A),\n# and kubectl-ivyo-upgrade-volumes with a ClusterRoleBinding (PersistentVolumes are cluster-scoped).\n${rbacManifests().map((m) => dump(m, { lineWidth: -1 })).join('---\n')}`;
        if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync('docs/rbac.yaml', text);
        expect(loadAll(fs.readFileSync('docs/rbac.yaml', 'utf8'))).toEqual(rbacManifests());
    });

    it('merges rules by resource', () => {
        const merged = mergedRules(PERMISSIONS.prepare);
        expect(merged.find((r) => r.resource === 'configmaps')?.verbs).toEqual(['create', 'get', 'list', 'patch']);
        expect(merged.find((r) => r.resource === 'persistentvolumes')).toEqual({ group: '', resource: 'persistentvolumes', verbs: ['list', 'patch'], clusterScoped: true });
    });

    it('never grants deleting a PVC or a PV', () => {
        for (const perms of Object.values(PERMISSIONS)) {
            for (const p of perms) if (p.resource.startsWith('persistentvolume')) expect(p.verbs).not.toContain('delete');
        }
    });
});
