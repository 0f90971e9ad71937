import type { KubeClient } from '../kube/client.js';
import { ApiError } from '../kube/errors.js';
import type { Flavor } from '../targets/flavors.js';
import { isObject } from '../v4/capture.js';

/**
 * Where the installed operator takes PostgreSQL parameters: `spec.config.parameters` where its CRD has it (PGO 5.8
 * and later: CrunchyData/postgres-operator v5.8.9 config/crd/bases/postgres-operator.crunchydata.com_postgresclusters.yaml,
 * at most 50 keys, checked by CEL rules), else `spec.patroni.dynamicConfiguration.postgresql.parameters`, which every
 * v5 operator takes (IVYO at d91df9f6 has `spec.config.files` only). `unread` says why the CRD's schema was not read
 * (the user may not get CustomResourceDefinitions): then the field every version takes.
 */
export type ParametersAt = { at: 'config' | 'patroni'; unread?: string };

export async function parametersAt(client: KubeClient, flavor: Flavor): Promise<ParametersAt> {
    const name = `${flavor.plural}.${flavor.group}`;
    let crd: unknown;
    try {
        crd = await client.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    } catch (e) {
        if (e instanceof ApiError && (e.status === 403 || e.status === 404)) return { at: 'patroni', unread: `CustomResourceDefinition ${name}: HTTP ${e.status} ${e.reason}` };
        throw e;
    }
    const versions = isObject(crd) && isObject(crd.spec) && Array.isArray(crd.spec.versions) ? crd.spec.versions.filter(isObject) : [];
    const served = versions.find((v) => v.name === flavor.version);
    const schema = isObject(served?.schema) ? served.schema.openAPIV3Schema : undefined;
    const child = (n: unknown, k: string) => (isObject(n) && isObject(n.properties) ? n.properties[k] : undefined);
    const parameters = child(child(child(schema, 'spec'), 'config'), 'parameters');
    return { at: parameters === undefined ? 'patroni' : 'config' };
}
