import { describe, expect, it } from 'vitest';
import { adaptCrdForV120, readCrds } from '../../scripts/crds.js';

describe('adaptCrdForV120', () => {
    it('drops CEL rules and empty-string defaults, and requires list-map keys instead', () => {
        const before = {
            spec: {
                'x-kubernetes-validations': [{ rule: 'self.a == 1' }],
                instances: {
                    type: 'array',
                    'x-kubernetes-list-type': 'map',
                    'x-kubernetes-list-map-keys': ['name'],
                    items: { type: 'object', required: ['dataVolumeClaimSpec'], properties: { name: { type: 'string', default: '' }, port: { type: 'integer', default: 5432 } } },
                },
            },
        };
        expect(adaptCrdForV120(before)).toEqual({
            spec: {
                instances: {
                    type: 'array',
                    'x-kubernetes-list-type': 'map',
                    'x-kubernetes-list-map-keys': ['name'],
                    items: { type: 'object', required: ['dataVolumeClaimSpec', 'name'], properties: { name: { type: 'string' }, port: { type: 'integer', default: 5432 } } },
                },
            },
        });
        expect(before.spec['x-kubernetes-validations']).toHaveLength(1);
    });

    it('leaves none of either in the real CRDs, and requires IvoryCluster instances[].name', () => {
        const crds = readCrds();
        expect(crds.map((c) => (c.metadata as { name: string }).name).sort()).toEqual([
            'ivoryclusters.ivory-operator.ivorysql.org',
            'pgclusters.crunchydata.com',
            'pgpolicies.crunchydata.com',
            'pgreplicas.crunchydata.com',
            'pgtasks.crunchydata.com',
            'postgresclusters.postgres-operator.crunchydata.com',
        ]);
        for (const crd of crds) {
            const text = JSON.stringify(adaptCrdForV120(crd));
            expect(text).not.toContain('x-kubernetes-validations');
            expect(text).not.toContain('"default":""');
        }
        const ivory = adaptCrdForV120(crds.find((c) => (c.metadata as { name: string }).name.startsWith('ivoryclusters'))!) as any;
        const instances = ivory.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.instances;
        expect(instances.items.required).toContain('name');
    });
});
