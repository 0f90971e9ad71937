import type { KubeClient } from './client.js';

/** Every write this tool makes is attributed to this field manager. */
export const FIELD_MANAGER = 'kubectl-ivyo-upgrade';

export interface WriteOptions {
    /** Server-side dry run: validated and admitted, not persisted. */
    dryRun?: boolean;
}

/**
 * One write, exactly as it will be sent (less the field manager and dry run, which `send` adds): built by pure
 * functions, so a plan's requests can be shown and tested before anything is sent.
 */
export interface WriteRequest {
    method: 'POST' | 'PATCH' | 'DELETE';
    path: string;
    /** Always explicit: a patch's type is part of its meaning. */
    contentType: 'application/json' | 'application/merge-patch+json' | 'application/json-patch+json' | 'application/apply-patch+yaml';
    body: unknown;
    /** Query parameters besides fieldManager and dryRun (`force` for an apply that takes fields over). */
    query?: Record<string, string>;
}

export type JsonPatchOp = { op: 'test' | 'remove' | 'add' | 'replace'; path: string; value?: unknown };

/** Server-side apply; `force` takes over fields other managers own (only where the caller means to). */
export function applyRequest(path: string, body: unknown, force = false): WriteRequest {
    return { method: 'PATCH', path, contentType: 'application/apply-patch+yaml', body, ...(force ? { query: { force: 'true' } } : {}) };
}

export function mergePatchRequest(path: string, patch: unknown): WriteRequest {
    return { method: 'PATCH', path, contentType: 'application/merge-patch+json', body: patch };
}

export function jsonPatchRequest(path: string, ops: JsonPatchOp[]): WriteRequest {
    return { method: 'PATCH', path, contentType: 'application/json-patch+json', body: ops };
}

export function createRequest(collection: string, body: unknown): WriteRequest {
    return { method: 'POST', path: collection, contentType: 'application/json', body };
}

/**
 * A delete. With preconditions the server deletes only the object as it was read (else 409 Conflict); they
 * travel in the DeleteOptions body, which the client sends with its Content-Length so the server reads it.
 */
export function deleteRequest(path: string, o: { preconditions?: { uid?: string; resourceVersion?: string }; propagationPolicy?: 'Foreground' | 'Background' } = {}): WriteRequest {
    return {
        method: 'DELETE',
        path,
        contentType: 'application/json',
        body: {
            apiVersion: 'v1',
            kind: 'DeleteOptions',
            ...(o.preconditions ? { preconditions: o.preconditions } : {}),
            ...(o.propagationPolicy ? { propagationPolicy: o.propagationPolicy } : {}),
        },
    };
}

/**
 * Sends a write. The tool never deletes a PersistentVolumeClaim or a PersistentVolume: data goes away only
 * when the user opts in and the v4 operator does it. This guard makes that a property of the code.
 */
export function send<T>(client: KubeClient, r: WriteRequest, o: WriteOptions = {}): Promise<T> {
    if (r.method === 'DELETE' && /\/(persistentvolumeclaims|persistentvolumes)(\/|\?|$)/.test(r.path)) {
        throw new Error(`refusing to delete ${r.path}: this tool never deletes a PersistentVolumeClaim or a PersistentVolume`);
    }
    // With a body the server reads DeleteOptions from it and not from the query: a delete's dryRun goes in both.
    const body = r.method === 'DELETE' && o.dryRun && typeof r.body === 'object' && r.body !== null ? { ...r.body, dryRun: ['All'] } : r.body;
    // A DELETE takes no field manager.
    const query = { ...(r.method === 'DELETE' ? {} : { fieldManager: FIELD_MANAGER }), ...(o.dryRun ? { dryRun: 'All' } : {}), ...r.query };
    return client.request<T>(r.method, r.path, { body, contentType: r.contentType, query });
}

export function serverSideApply<T>(client: KubeClient, path: string, body: unknown, o: WriteOptions & { force?: boolean } = {}): Promise<T> {
    return send<T>(client, applyRequest(path, body, o.force), o);
}

export function mergePatch<T>(client: KubeClient, path: string, patch: unknown, o: WriteOptions = {}): Promise<T> {
    return send<T>(client, mergePatchRequest(path, patch), o);
}
