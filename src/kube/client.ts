import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { Writable } from 'node:stream';
import { ApiError, CONNECT_TIMED_OUT, ConnectionError } from './errors.js';
import type { ObjectList } from './types.js';
import { WatchedReads, type WatchEvent } from './watch.js';
import { VERSION } from '../version.js';

export interface RequestOptions {
    query?: Record<string, string | undefined>;
    body?: unknown;
    /** Always set explicitly for writes: a patch's type is part of its meaning. */
    contentType?: string;
    accept?: string;
}

export interface ListOptions {
    labelSelector?: string;
    /** e.g. `metadata.name=x`: one object by name, read with the `list` verb. */
    fieldSelector?: string;
    /** Ask for PartialObjectMetadataList: names, labels and annotations only (used for Secrets). */
    metadataOnly?: boolean;
}

export interface ClientOptions {
    /** How long to wait for a TCP (and TLS) connection (default CONNECT_TIMEOUT_MS). */
    connectTimeoutMs?: number;
    /** The User-Agent of every request; the commands send USER_AGENT, so the API server's audit log tells their requests apart. */
    userAgent?: string;
}

/** What the commands send as their User-Agent. */
export const USER_AGENT = `kubectl-ivyo-upgrade/${VERSION}`;

/** A collection as listed: its items, its kind (`ConfigMapList`) and apiVersion, and its resourceVersion. */
export interface ListRead<T> {
    items: T[];
    resourceVersion: string;
    apiVersion: string;
    kind: string;
}

function selectors(opts: ListOptions): Record<string, string | undefined> {
    return { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector };
}

/** How long to wait for a TCP (and TLS) connection, whatever --request-timeout says: kubectl's dial timeout. */
export const CONNECT_TIMEOUT_MS = 30_000;

const METADATA_ONLY = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
/** A watch of metadata only: its events carry PartialObjectMetadata objects. */
const METADATA_ONLY_WATCH = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';
const PAGE_SIZE = '500';

/**
 * A small REST client: client-node supplies kubeconfig authentication (tokens, certificates, exec plugins,
 * proxies); this class owns the wire (explicit content types, paging, one timeout per request, JSON as the
 * server sent it, so the model works on the same objects the fixtures hold).
 */
export class KubeClient {
    constructor(
        private readonly kc: KubeConfig,
        readonly server: string,
        /** Milliseconds per request; 0 waits as long as the operating system lets a connection live. */
        private readonly timeoutMs: number,
        readonly contextName: string,
        private readonly options: ClientOptions = {},
    ) {}

    private get connectTimeoutMs(): number {
        return this.options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    }

    /** Every request's headers: what it accepts, and who sends it when the client was given a User-Agent. */
    private headers(accept: string): Record<string, string> {
        return { Accept: accept, ...(this.options.userAgent ? { 'User-Agent': this.options.userAgent } : {}) };
    }

    /** The connections the requests of this client share (see authorize), and the TLS settings they were made with. */
    private agent: { agent: http.Agent; tls: string } | null = null;

    /** While a wait lasts (`watchReads`), object reads and lists come from its watches. */
    private reads: WatchedReads | null = null;

    get<T>(path: string, query?: Record<string, string | undefined>): Promise<T> {
        if (this.reads && !query) return this.reads.get<T>(path);
        return this.request<T>('GET', path, { query });
    }

    /** Every item of a collection, following `continue` tokens. */
    async list<T>(path: string, opts: ListOptions = {}): Promise<T[]> {
        if (this.reads) return this.reads.list<T>(path, opts);
        return (await this.listAll<T>(path, opts)).items;
    }

    /** A collection read from the server, with the list's kind and the resourceVersion to watch it from. */
    async listAll<T>(path: string, opts: ListOptions = {}): Promise<ListRead<T>> {
        const items: T[] = [];
        let token: string | undefined;
        let page: ObjectList<T> & { apiVersion?: string; kind?: string };
        do {
            page = await this.request<ObjectList<T>>('GET', path, {
                query: { ...selectors(opts), limit: PAGE_SIZE, continue: token },
                accept: opts.metadataOnly ? METADATA_ONLY : undefined,
            });
            items.push(...(page.items ?? []));
            token = page.metadata?.continue || undefined;
        } while (token);
        return { items, resourceVersion: page.metadata?.resourceVersion ?? '', apiVersion: page.apiVersion ?? '', kind: page.kind ?? '' };
    }

    /**
     * Until the returned reads are closed, this client's `get` of an object and `list` of a collection are
     * answered from a list and then a watch of each (see WatchedReads): a wait reads the cluster once, then
     * only what changes.
     */
    watchReads(): WatchedReads {
        this.reads?.close();
        const reads = new WatchedReads(this, () => {
            if (this.reads === reads) this.reads = null;
        });
        this.reads = reads;
        return reads;
    }

    /**
     * A watch of a collection from `resourceVersion`: each event (newline-delimited JSON) goes to `onEvent`.
     * `done` resolves when the server ends the watch (its timeoutSeconds), rejects on an error answer or a lost
     * connection; `abort` ends it. Not retried here: the caller knows from which version to go on.
     */
    watch(path: string, opts: ListOptions, resourceVersion: string, timeoutSeconds: number, onEvent: (e: WatchEvent) => void): { done: Promise<void>; abort(): void } {
        const url = new URL(this.server.replace(/\/+$/, '') + path);
        const query = { ...selectors(opts), watch: '1', resourceVersion, allowWatchBookmarks: 'true', timeoutSeconds: String(timeoutSeconds) };
        for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
        let request: http.ClientRequest | null = null;
        let aborted = false;
        const done = (async () => {
            const options: https.RequestOptions = { method: 'GET', headers: this.headers(opts.metadataOnly ? METADATA_ONLY_WATCH : 'application/json') };
            await this.authorize(options);
            await new Promise<void>((resolve, reject) => {
                if (aborted) return resolve();
                const fail = (e: Error) => (aborted ? resolve() : reject(e));
                const lost = (e: NodeJS.ErrnoException) =>
                    fail(e instanceof ConnectionError ? e : new ConnectionError(this.server, this.contextName, e.code ?? 'ECONNRESET', e.message));
                const transport = url.protocol === 'http:' ? http : https;
                const req = transport.request(url, options, (res) => {
                    if (res.statusCode !== 200) {
                        const chunks: Buffer[] = [];
                        res.on('data', (c: Buffer) => chunks.push(c));
                        res.on('end', () => fail(toApiError(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), 'GET', url.pathname, this.contextName)));
                        return;
                    }
                    let buffered = '';
                    res.setEncoding('utf8');
                    res.on('data', (chunk: string) => {
                        buffered += chunk;
                        let nl: number;
                        while ((nl = buffered.indexOf('\n')) >= 0) {
                            const line = buffered.slice(0, nl).trim();
                            buffered = buffered.slice(nl + 1);
                            if (line) onEvent(JSON.parse(line) as WatchEvent);
                        }
                    });
                    res.on('error', lost);
                    res.on('close', () => (res.complete ? resolve() : lost(new ConnectionError(this.server, this.contextName, 'ECONNRESET', 'the watch was cut off'))));
                });
                request = req;
                // The server ends the watch after timeoutSeconds; a connection silent for longer than that is dead.
                req.setTimeout((timeoutSeconds + 30) * 1000, () =>
                    req.destroy(new ConnectionError(this.server, this.contextName, 'ETIMEDOUT', `the watch was silent for ${timeoutSeconds + 30}s`)),
                );
                req.on('error', lost);
                req.end();
            });
        })();
        return {
            done,
            abort: () => {
                aborted = true;
                request?.destroy();
            },
        };
    }

    /**
     * One request. A read (GET) that meets a transient fault (a connection reset, 429 Too Many Requests, a 5xx) is
     * sent again after a backoff (or the server's Retry-After), READ_ATTEMPTS times at most; a write never is, as it
     * may have taken effect.
     */
    async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
        for (let attempt = 1; ; attempt++) {
            try {
                return await this.once<T>(method, path, opts);
            } catch (e) {
                const wait = method === 'GET' && attempt < READ_ATTEMPTS ? retryDelayMs(e, attempt) : null;
                if (wait === null) throw e;
                await new Promise((r) => setTimeout(r, wait));
            }
        }
    }

    private async once<T>(method: string, path: string, opts: RequestOptions): Promise<T> {
        const url = new URL(this.server.replace(/\/+$/, '') + path);
        for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
        const options: https.RequestOptions = { method, headers: this.headers(opts.accept ?? 'application/json') };
        await this.authorize(options);
        const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
        if (payload !== undefined) {
            // Content-Length always: Node sends a DELETE's body without one (no chunked encoding for DELETE), and
            // the API server then reads no body, so DeleteOptions preconditions would silently not apply.
            options.headers = {
                ...options.headers,
                'Content-Type': opts.contentType ?? 'application/json',
                'Content-Length': String(Buffer.byteLength(payload)),
            };
        }
        const { status, text, type, retryAfter } = await this.send(url, options, payload);
        if (status >= 200 && status < 300) {
            // Pod logs and the like come back as text; everything else is JSON.
            if (text === '' || !type.includes('json')) return (text === '' ? undefined : text) as T;
            return JSON.parse(text) as T;
        }
        throw toApiError(status, text, method, url.pathname, this.contextName, retryAfter);
    }

    /**
     * Runs a command in a pod's container (the exec subresource, over a websocket) and returns its stdout.
     * Fails when the pod is not running, the kubelet cannot be reached, or the command exits non-zero.
     */
    async exec(namespace: string, pod: string, container: string, command: string[], timeoutMs: number): Promise<string> {
        // While a wait reads through watches, an exec is a read no watch answers: the wait reads again sooner.
        this.reads?.readFromServer();
        // Loaded here, not with the module: its websocket stack is needed only by the commands that exec.
        const { Exec } = await import('@kubernetes/client-node/dist/exec.js');
        let out = '';
        let err = '';
        const sink = (append: (s: string) => void) =>
            new Writable({
                write(chunk: Buffer, _enc, done) {
                    append(chunk.toString());
                    done();
                },
            });
        const result = new Promise<string>((resolve, reject) => {
            new Exec(this.kc)
                .exec(
                    namespace,
                    pod,
                    container,
                    command,
                    sink((s) => (out += s)),
                    sink((s) => (err += s)),
                    null,
                    false,
                    (status) => {
                        if (status.status === 'Success') resolve(out);
                        else reject(new Error(status.message || err.trim() || 'the command failed'));
                    },
                )
                .then((ws) => ws.on('close', () => resolve(out)))
                // client-node rejects with the websocket's error event, not always an Error.
                .catch((e: unknown) => reject(new Error(errorText(e))));
        });
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000}s`)), timeoutMs);
        });
        try {
            return await Promise.race([result, timeout]);
        } finally {
            clearTimeout(timer);
        }
    }

    /**
     * The kubeconfig's credentials and TLS settings for one request. client-node makes a new agent for each
     * request, so each would open its own connection and do a TLS handshake of its own; a direct connection
     * (no proxy-url) goes through one keep-alive agent of the same options instead, as kubectl keeps one
     * connection. A credential plugin that hands out a new client certificate gets a new agent. Through a
     * proxy, client-node's agent is kept as it is.
     */
    private async authorize(options: https.RequestOptions): Promise<void> {
        await this.kc.applyToHTTPSOptions(options);
        const made = options.agent;
        if (!(made instanceof http.Agent) || (made.constructor !== https.Agent && made.constructor !== http.Agent)) return;
        const o = made instanceof https.Agent ? made.options : {};
        const tls = JSON.stringify([o.ca, o.cert, o.key, o.pfx, o.rejectUnauthorized, o.servername].map((x) => (Buffer.isBuffer(x) ? x.toString('base64') : x)));
        if (this.agent?.tls !== tls) {
            this.agent?.agent.destroy();
            this.agent = { agent: made instanceof https.Agent ? new https.Agent({ ...o, keepAlive: true }) : new http.Agent({ keepAlive: true }), tls };
        }
        options.agent = this.agent.agent;
    }

    private send(url: URL, options: https.RequestOptions, payload: string | undefined): Promise<{ status: number; text: string; type: string; retryAfter: number | null }> {
        const transport = url.protocol === 'http:' ? http : https;
        return new Promise((resolve, reject) => {
            const req = transport.request(url, options, (res) => {
                const chunks: Buffer[] = [];
                res.on('data', (c: Buffer) => chunks.push(c));
                res.on('end', () =>
                    resolve({
                        status: res.statusCode ?? 0,
                        text: Buffer.concat(chunks).toString('utf8'),
                        type: String(res.headers['content-type'] ?? ''),
                        retryAfter: /^\d+$/.test(String(res.headers['retry-after'] ?? '')) ? Number(res.headers['retry-after']) : null,
                    }),
                );
                res.on('error', reject);
            });
            let timer: NodeJS.Timeout | undefined;
            if (this.timeoutMs > 0) {
                timer = setTimeout(() => {
                    req.destroy(new ConnectionError(this.server, this.contextName, 'ETIMEDOUT', `no answer within ${this.timeoutMs / 1000}s`, true));
                }, this.timeoutMs);
            }
            req.on('socket', (socket) => {
                if (!socket.connecting) return;
                const dial = setTimeout(() => {
                    req.destroy(new ConnectionError(this.server, this.contextName, CONNECT_TIMED_OUT, `no connection within ${this.connectTimeoutMs / 1000}s`, true));
                }, this.connectTimeoutMs);
                socket.once(url.protocol === 'http:' ? 'connect' : 'secureConnect', () => clearTimeout(dial));
                socket.once('close', () => clearTimeout(dial));
            });
            req.on('close', () => clearTimeout(timer));
            req.on('error', (e: NodeJS.ErrnoException) => {
                clearTimeout(timer);
                reject(e instanceof ConnectionError ? e : new ConnectionError(this.server, this.contextName, e.code ?? 'ERROR', e.message));
            });
            if (payload !== undefined) req.write(payload);
            req.end();
        });
    }
}

function errorText(e: unknown): string {
    if (e instanceof Error) return e.message;
    if (e && typeof e === 'object' && 'message' in e && typeof e.message === 'string' && e.message) return e.message;
    if (e && typeof e === 'object' && 'error' in e) return errorText(e.error);
    return String(e);
}

/** How many times a read is sent at most, and the longest a server's Retry-After is waited for. */
const READ_ATTEMPTS = 4;
const RETRY_AFTER_CAP_S = 10;

/**
 * How long to wait before sending a read again, or null when its failure is not transient: 429 and 5xx answers
 * (after Retry-After, capped, or 0.25 s, 0.5 s, 1 s), and a connection reset or broken mid-request. A refused
 * connection, a timeout (--request-timeout, the connect timeout) and every other answer are final.
 */
function retryDelayMs(e: unknown, attempt: number): number | null {
    const backoff = 250 * 2 ** (attempt - 1);
    if (e instanceof ApiError && (e.status === 429 || (e.status >= 500 && e.status <= 599))) {
        return e.retryAfter !== null ? Math.min(e.retryAfter, RETRY_AFTER_CAP_S) * 1000 : backoff;
    }
    if (e instanceof ConnectionError && !e.timedOut && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) return backoff;
    return null;
}

function toApiError(status: number, text: string, method: string, path: string, context: string, retryAfter: number | null = null): ApiError {
    let reason = '';
    let message = text.trim().split('\n')[0] ?? '';
    try {
        const body = JSON.parse(text) as { reason?: string; message?: string };
        reason = body.reason ?? '';
        message = body.message ?? message;
    } catch {
        // Not a Status object (a proxy's HTML page, say): keep the first line of the text.
    }
    return new ApiError(status, reason, message || `HTTP ${status}`, method, path, context, retryAfter);
}
