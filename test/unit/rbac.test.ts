import path from 'node:path';
import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { mergedRules, PERMISSIONS, rbacManifests, rbacText } from '../../src/rbac.js';

describe('permissions, one source of truth', () => {
    it('docs/rbac.yaml is rendered from it (a file snapshot: vitest -u rewrites it)', async () => {
        const text = rbacText('yaml');
        await expect(text).toMatchFileSnapshot(path.resolve('docs/rbac.yaml'));
        expect(loadAll(text)).toEqual(rbacManifests());
        expect(JSON.parse(rbacText('json')).items).toEqual(rbacManifests());
    });

    it('merges rules by resource', () => {
        const merged = mergedRules(PERMISSIONS.prepare);
        expect(merged.find((r) => r.resource === 'configmaps')?.verbs).toEqual(['create', 'get', 'list', 'patch', 'watch']);
        expect(merged.find((r) => r.resource === 'persistentvolumes')).toEqual({
            group: '',
            resource: 'persistentvolumes',
            verbs: ['get', 'list', 'patch', 'watch'],
            clusterScoped: true,
        });
    });

    it('never grants deleting a PVC or a PV', () => {
        for (const perms of Object.values(PERMISSIONS)) {
            for (const p of perms) if (p.resource.startsWith('persistentvolume')) expect(p.verbs).not.toContain('delete');
        }
    });
});
