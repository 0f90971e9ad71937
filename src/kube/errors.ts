import { UserError } from '../errors.js';

/** A Kubernetes `Status` answer to a failed request, with what was asked. */
export class ApiError extends Error {
    constructor(
        readonly status: number,
        readonly reason: string,
        message: string,
        readonly method: string,
        readonly path: string,
        /** The kubeconfig context the request was made with, for messages. */
        readonly context: string,
        /** A 429's or 503's Retry-After, in seconds, when the server sent one. */
        readonly retryAfter: number | null = null,
    ) {
        super(message);
        this.name = 'ApiError';
    }
}

/** The server could not be reached, or did not answer in time. */
export class ConnectionError extends Error {
    constructor(
        readonly server: string,
        readonly context: string,
        readonly code: string,
        message: string,
        readonly timedOut = false,
    ) {
        super(message);
        this.name = 'ConnectionError';
    }
}

/** The code of a ConnectionError when no connection was made within the connect timeout. */
export const CONNECT_TIMED_OUT = 'ECONNECTTIMEDOUT';

/** What an API path names: the verb a method means, the resource, its group, namespace and name. */
export interface Subject {
    verb: string;
    resource: string;
    group: string;
    namespace?: string;
    name?: string;
}

const VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** `/api/v1/namespaces/ns/pods/x` or `/apis/g/v/namespaces/ns/things/x` → its parts. */
export function subjectOf(method: string, path: string): Subject {
    const parts = path.split('/').filter(Boolean);
    const group = parts[0] === 'api' ? '' : (parts[1] ?? '');
    let rest = parts.slice(parts[0] === 'api' ? 2 : 3);
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
        namespace = rest[1];
        rest = rest.slice(2);
    }
    const resource = rest[0] ?? 'resources';
    const name = rest[1];
    const verb = VERBS[method] ?? (name === undefined ? 'list' : 'get');
    return { verb, resource, group, namespace, name };
}

function describe(s: Subject): string {
    const kind = s.group ? `${s.resource}.${s.group}` : s.resource;
    const what = s.name ? `${kind} "${s.name}"` : kind;
    return s.namespace ? `${what} in namespace "${s.namespace}"` : s.namespace === undefined && s.name ? what : `${what} (cluster-wide)`;
}

/**
 * Turns what the API or the network said into one line a user can act on: what failed, where, and what to do.
 * Returns undefined for anything it does not recognise, which the caller reports as an internal error.
 */
export function explainKubeError(err: unknown): UserError | undefined {
    if (err instanceof ConnectionError) {
        const contextName = err.context;
        if (err.code === CONNECT_TIMED_OUT) {
            return new UserError(
                `the server ${err.server} did not complete a connection (${err.message}): check the address in context "${contextName}", the network and any proxy`,
            );
        }
        if (err.timedOut) {
            return new UserError(`the server ${err.server} did not answer within the request timeout: check the network, or raise --request-timeout`);
        }
        if (err.code === 'ECONNREFUSED') {
            return new UserError(`the connection to the server ${err.server} was refused: is the API server running, and is context "${contextName}" the right one?`);
        }
        return new UserError(`cannot reach the server ${err.server} (${err.code}: ${err.message}): check context "${contextName}" and the network`);
    }
    if (!(err instanceof ApiError)) return undefined;
    const contextName = err.context;
    const s = subjectOf(err.method, err.path);
    switch (err.status) {
        case 401:
            return new UserError(`you must be logged in to the server (Unauthorized): the credentials of context "${contextName}" were refused; renew them and retry`);
        case 403:
            return new UserError(
                `forbidden: cannot ${s.verb} ${describe(s)}: ${err.message}; ask a cluster admin for "${s.verb}" on "${s.group ? `${s.resource}.${s.group}` : s.resource}", or use a context that has it`,
            );
        case 404:
            if (isMissingType(err)) {
                return new UserError(
                    `the server does not serve ${s.group ? `${s.resource}.${s.group}` : s.resource}: its CustomResourceDefinition is not installed, or context "${contextName}" points at another cluster`,
                );
            }
            return new UserError(`${describe(s)} not found`);
        case 409:
            return new UserError(`conflict: ${describe(s)} changed while this command ran (${err.message}); run the command again`);
        case 422:
            return new UserError(`${describe(s)} is invalid: ${err.message}`);
        default:
            return new UserError(`the server refused to ${s.verb} ${describe(s)}: HTTP ${[err.status, err.reason].filter(Boolean).join(' ')}: ${err.message}`);
    }
}

/** A 404 for a whole resource type (no CRD), as opposed to a missing object. */
export function isMissingType(err: ApiError): boolean {
    return err.status === 404 && err.message === 'the server could not find the requested resource';
}

export function isNotFound(err: unknown): err is ApiError {
    return err instanceof ApiError && err.status === 404 && !isMissingType(err);
}

/** The object a read returns, or null when it does not exist; any other failure (a missing type too) throws. */
export function orAbsent<T>(read: Promise<T>): Promise<T | null> {
    return read.catch((e: unknown) => {
        if (isNotFound(e)) return null;
        throw e;
    });
}
