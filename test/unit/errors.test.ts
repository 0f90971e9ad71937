import { describe, expect, it } from 'vitest';
import { ApiError, ConnectionError, explainKubeError, subjectOf } from '../../src/kube/errors.js';

describe('subjectOf', () => {
    it('reads verb, resource, group, namespace and name from API paths', () => {
        expect(subjectOf('GET', '/apis/crunchydata.com/v1/namespaces/pgo/pgclusters/hippo')).toEqual({
            verb: 'get',
            resource: 'pgclusters',
            group: 'crunchydata.com',
            namespace: 'pgo',
            name: 'hippo',
        });
        expect(subjectOf('GET', '/api/v1/namespaces/pgo/persistentvolumeclaims')).toEqual({
            verb: 'list',
            resource: 'persistentvolumeclaims',
            group: '',
            namespace: 'pgo',
            name: undefined,
        });
        expect(subjectOf('GET', '/api/v1/persistentvolumes')).toMatchObject({ verb: 'list', resource: 'persistentvolumes', namespace: undefined });
        expect(subjectOf('PATCH', '/api/v1/persistentvolumes/pv-1')).toMatchObject({ verb: 'patch', name: 'pv-1' });
    });
});

describe('explainKubeError', () => {
    const api = (status: number, reason: string, message: string, method = 'GET', path = '/apis/crunchydata.com/v1/namespaces/pgo/pgclusters/hippo') =>
        new ApiError(status, reason, message, method, path, 'prod');

    it('names the verb, the resource and the namespace of a forbidden request', () => {
        const e = explainKubeError(api(403, 'Forbidden', 'pgclusters.crunchydata.com "hippo" is forbidden: User "bob" cannot get resource "pgclusters"'));
        expect(e?.message).toMatch(
            /^forbidden: cannot get pgclusters\.crunchydata\.com "hippo" in namespace "pgo": .*User "bob".*; ask a cluster admin for "get" on "pgclusters\.crunchydata\.com"/,
        );
        expect(e?.exitCode).toBe(1);
    });

    it('tells a missing resource type (no CRD) from a missing object', () => {
        expect(
            explainKubeError(api(404, 'NotFound', 'the server could not find the requested resource', 'GET', '/apis/crunchydata.com/v1/namespaces/pgo/pgclusters'))?.message,
        ).toBe('the server does not serve pgclusters.crunchydata.com: its CustomResourceDefinition is not installed, or context "prod" points at another cluster');
        expect(explainKubeError(api(404, 'NotFound', 'pgclusters.crunchydata.com "hippo" not found'))?.message).toBe(
            'pgclusters.crunchydata.com "hippo" in namespace "pgo" not found',
        );
    });

    it('words unauthorized, conflict and invalid answers', () => {
        expect(explainKubeError(api(401, 'Unauthorized', 'Unauthorized'))?.message).toMatch(
            /^you must be logged in to the server \(Unauthorized\): the credentials of context "prod"/,
        );
        expect(explainKubeError(api(409, 'Conflict', 'the object has been modified', 'PATCH'))?.message).toMatch(
            /^conflict: .* changed while this command ran .*; run the command again$/,
        );
        expect(explainKubeError(api(422, 'Invalid', 'spec.x: Invalid value', 'POST', '/apis/g/v1/namespaces/pgo/things'))?.message).toBe(
            'things.g in namespace "pgo" is invalid: spec.x: Invalid value',
        );
    });

    it('words refused connections and timeouts with what to check', () => {
        expect(explainKubeError(new ConnectionError('https://127.0.0.1:1', 'dev', 'ECONNREFUSED', 'connect ECONNREFUSED'))?.message).toBe(
            'the connection to the server https://127.0.0.1:1 was refused: is the API server running, and is context "dev" the right one?',
        );
        expect(explainKubeError(new ConnectionError('https://10.9.9.9', 'dev', 'ETIMEDOUT', 'no answer', true))?.message).toMatch(
            /did not answer within the request timeout: .*--request-timeout/,
        );
    });

    it('leaves other errors to the caller', () => {
        expect(explainKubeError(new TypeError('bug'))).toBeUndefined();
    });
});
