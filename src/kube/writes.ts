import type { KubeClient } from './client.js';

/** Every write this tool makes is attributed to this field manager. */
export const FIELD_MANAGER = 'kubectl-ivyo-upgrade';

export interface WriteOptions {
    /** Server-side dry run: validated and admitted, not persisted. */
    dryRun?: boolean;
}

const query = (o: WriteOptions, extra: Record<string, string> = {}) => ({
    fieldManager: FIELD_MANAGER,
    ...(o.dryRun ? { dryRun: 'All' } : {}),
    ...extra,
});

/** Server-side apply; `force` takes over fields other managers own (only where the caller means to). */
export function serverSideApply<T>(client: KubeClient, path: string, body: unknown, o: WriteOptions & { force?: boolean } = {}): Promise<T> {
    return client.request<T>('PATCH', path, {
        body,
        contentType: 'application/apply-patch+yaml',
        query: query(o, o.force ? { force: 'true' } : {}),
    });
}

export function mergePatch<T>(client: KubeClient, path: string, patch: unknown, o: WriteOptions = {}): Promise<T> {
    return client.request<T>('PATCH', path, { body: patch, contentType: 'application/merge-patch+json', query: query(o) });
}

export type JsonPatchOp = { op: 'test' | 'remove' | 'add' | 'replace'; path: string; value?: unknown };

export function jsonPatch<T>(client: KubeClient, path: string, ops: JsonPatchOp[], o: WriteOptions = {}): Promise<T> {
    return client.request<T>('PATCH', path, { body: ops, contentType: 'application/json-patch+json', query: query(o) });
}

export function create<T>(client: KubeClient, collection: string, body: unknown, o: WriteOptions = {}): Promise<T> {
    return client.request<T>('POST', collection, { body, query: query(o) });
}

/**
 * Deletes an object. The tool never deletes a PersistentVolumeClaim or a PersistentVolume: data goes away
 * only when the user opts in and the v4 operator does it. This guard makes that a property of the code.
 */
export function deleteObject(
    client: KubeClient,
    path: string,
    o: WriteOptions & { preconditions?: { uid?: string; resourceVersion?: string }; propagationPolicy?: 'Foreground' | 'Background' } = {},
): Promise<unknown> {
    if (/\/(persistentvolumeclaims|persistentvolumes)(\/|\?|$)/.test(path)) {
        throw new Error(`refusing to delete ${path}: this tool never deletes a PersistentVolumeClaim or a PersistentVolume`);
    }
    // With preconditions the server deletes only the object as it was read (else 409 Conflict). They travel in
    // the DeleteOptions body, which the client sends with its Content-Length so the server reads it.
    const body = {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        ...(o.preconditions ? { preconditions: o.preconditions } : {}),
        ...(o.propagationPolicy ? { propagationPolicy: o.propagationPolicy } : {}),
        // With a body the server reads DeleteOptions from it and not from the query: dryRun must be here too.
        ...(o.dryRun ? { dryRun: ['All'] } : {}),
    };
    return client.request('DELETE', path, { query: o.dryRun ? { dryRun: 'All' } : {}, body, contentType: 'application/json' });
}
