import type { KubeClient, ListOptions, ListRead } from './client.js';
import { ApiError } from './errors.js';
import type { KubeObject } from './types.js';

/** One line of a watch: what happened to which object (a Status for ERROR). */
export interface WatchEvent {
    type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
    object: KubeObject & { code?: number; message?: string };
}

/** How long the server keeps one watch open: 5 to 10 minutes, spread as client-go's reflector spreads them. */
const watchSeconds = () => 300 + Math.floor(Math.random() * 300);
/** Failed (re)connections in a row after which a collection is dropped, so its next read goes to the server. */
const RECONNECTS = 4;

/** How long a change must be followed by no other before the wait reads, and the longest it waits for that. */
const SETTLE_MS = 200;
const SETTLE_MAX_MS = 1000;

/** A collection as the watches keep it. */
interface Collection {
    objects: Map<string, KubeObject>;
    /** Of an object read alone: the list's apiVersion, and its kind without `List`. */
    typeMeta: { apiVersion: string; kind: string };
    /** Whether the list's items came without apiVersion and kind (built-in types do), so they are given back so. */
    bareItems: boolean;
    resourceVersion: string;
    abort: () => void;
}

/**
 * A client's reads while a wait lasts (KubeClient.watchReads). The first read of a collection lists it (the
 * client's own read, with its retries) and then watches it from that list's resourceVersion; later reads are
 * answered from what the watch said, so a wait costs the API server one list and one open watch per collection
 * it reads, not a read of everything every poll. An object read alone (`get`) is its collection selected by
 * `metadata.name`. A watch the server ends is resumed from the last resourceVersion (a bookmark's too); one
 * answered 410 Gone lists again; a connection lost RECONNECTS times in a row drops the collection, so its
 * next read is the client's own again (and fails the way a read fails). What cannot be listed and watched
 * (forbidden, a subresource, discovery) is read from the server each time, and counted (`serverReads`).
 */
export class WatchedReads {
    private readonly collections = new Map<string, Promise<Collection | null>>();
    private changed = false;
    private wake: (() => void) | null = null;
    private closed = false;
    private direct = 0;

    constructor(
        private readonly client: KubeClient,
        private readonly onClose: () => void,
    ) {}

    async list<T>(path: string, opts: ListOptions): Promise<T[]> {
        const c = await this.collection(path, opts);
        if (!c) {
            this.direct++;
            return (await this.client.listAll<T>(path, opts)).items;
        }
        const sorted = [...c.objects].sort(([a], [b]) => (a < b ? -1 : 1));
        return sorted.map(([, o]) => this.shape(c, o, false) as T);
    }

    async get<T>(path: string): Promise<T> {
        const at = objectPath(path);
        const c = at && (await this.collection(at.collection, { fieldSelector: `metadata.name=${at.name}` }));
        if (!at || !c) {
            this.direct++;
            return this.client.request<T>('GET', path);
        }
        const found = [...c.objects.values()].find((o) => o.metadata.name === at.name);
        if (!found) throw new ApiError(404, 'NotFound', `${at.resource} "${at.name}" not found`, 'GET', path, this.client.contextName);
        return this.shape(c, found, true) as T;
    }

    /**
     * Resolves after the next change any watch sees (at once if one came since the last call) has settled: no
     * further event for SETTLE_MS, or SETTLE_MAX_MS after the first, so that what one actor changes in a few
     * writes (an annotation, then the pods' labels) is read together. Resolves after `ms` if nothing changes.
     */
    async next(ms: number): Promise<void> {
        if (!this.changed) {
            await new Promise<void>((resolve) => {
                const done = () => {
                    clearTimeout(timer);
                    this.wake = null;
                    resolve();
                };
                const timer = setTimeout(done, ms);
                this.wake = done;
            });
        }
        const first = Date.now();
        while (this.changed && !this.closed && Date.now() - first < SETTLE_MAX_MS) {
            this.changed = false;
            await new Promise((r) => setTimeout(r, SETTLE_MS));
        }
        this.changed = false;
    }

    /** Counts a read that went to the server (the client calls it for an exec). */
    readFromServer(): void {
        this.direct++;
    }

    /** How many reads went to the server since the last call (what no watch can answer). */
    serverReads(): number {
        const n = this.direct;
        this.direct = 0;
        return n;
    }

    /** Ends every watch; the client reads from the server again. */
    close(): void {
        if (this.closed) return;
        this.closed = true;
        for (const c of this.collections.values())
            void c.then(
                (x) => x?.abort(),
                () => undefined,
            );
        this.wake?.();
        this.onClose();
    }

    private signal(): void {
        this.changed = true;
        this.wake?.();
    }

    private collection(path: string, opts: ListOptions): Promise<Collection | null> {
        const key = JSON.stringify([path, opts.labelSelector ?? '', opts.fieldSelector ?? '', opts.metadataOnly === true]);
        let c = this.collections.get(key);
        if (!c) {
            c = this.start(key, path, opts);
            this.collections.set(key, c);
            // A list that failed is not kept: the next read tries again.
            c.catch(() => this.collections.delete(key));
        }
        return c;
    }

    private async start(key: string, path: string, opts: ListOptions): Promise<Collection | null> {
        let read: ListRead<KubeObject>;
        try {
            read = await this.client.listAll<KubeObject>(path, opts);
        } catch (e) {
            if (unwatchable(e)) return null;
            throw e;
        }
        const c: Collection = {
            objects: new Map(),
            typeMeta: { apiVersion: read.apiVersion, kind: read.kind.replace(/List$/, '') },
            bareItems: read.items.every((o) => o.kind === undefined),
            resourceVersion: read.resourceVersion,
            abort: () => undefined,
        };
        fill(c, read);
        void this.follow(key, path, opts, c);
        return c;
    }

    /** Keeps one collection's watch open until close: resumed, re-listed on 410, dropped after RECONNECTS failures. */
    private async follow(key: string, path: string, opts: ListOptions, c: Collection): Promise<void> {
        let failures = 0;
        while (!this.closed) {
            let expired = false;
            let events = 0;
            const started = Date.now();
            const w = this.client.watch(path, opts, c.resourceVersion, watchSeconds(), (e) => {
                events++;
                if (e.type === 'ERROR') {
                    expired = e.object.code === 410;
                    if (!expired) failures++;
                    w.abort();
                    return;
                }
                failures = 0;
                c.resourceVersion = e.object.metadata?.resourceVersion ?? c.resourceVersion;
                if (e.type === 'BOOKMARK') return;
                const k = `${e.object.metadata.namespace ?? ''}/${e.object.metadata.name}`;
                if (e.type === 'DELETED') c.objects.delete(k);
                else c.objects.set(k, e.object);
                this.signal();
            });
            c.abort = w.abort;
            try {
                await w.done;
                // A watch ended at once with nothing said is no better than a failed one: not again at once.
                if (events === 0 && Date.now() - started < 1000) failures++;
            } catch (e) {
                if (this.closed) return;
                if (e instanceof ApiError && e.status === 410) expired = true;
                else if (unwatchable(e)) {
                    this.collections.set(key, Promise.resolve(null));
                    this.signal();
                    return;
                } else failures++;
            }
            if (this.closed) return;
            if (failures > RECONNECTS) {
                this.collections.delete(key);
                this.signal();
                return;
            }
            if (failures > 0) await new Promise((r) => setTimeout(r, 250 * 2 ** failures));
            if (expired) {
                try {
                    fill(c, await this.client.listAll<KubeObject>(path, opts));
                    this.signal();
                } catch {
                    failures++;
                }
            }
        }
    }

    /** A copy, as the server would have sent it: an object read alone has its apiVersion and kind. */
    private shape(c: Collection, o: KubeObject, alone: boolean): KubeObject {
        const copy = structuredClone(o);
        if (alone) return { ...c.typeMeta, ...copy };
        if (c.bareItems) {
            delete copy.apiVersion;
            delete copy.kind;
        }
        return copy;
    }
}

function fill(c: Collection, read: ListRead<KubeObject>): void {
    c.objects.clear();
    for (const o of read.items) c.objects.set(`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o);
    c.resourceVersion = read.resourceVersion;
}

/** A list or watch the server will not give: forbidden, or not a collection (405, 404 of the kind). */
function unwatchable(e: unknown): boolean {
    return e instanceof ApiError && (e.status === 403 || e.status === 404 || e.status === 405);
}

/**
 * `/api/v1/namespaces/ns/configmaps/x` or `/apis/g/v/things/x` → its collection, resource and name; null for
 * anything else (a collection, a subresource, discovery).
 */
export function objectPath(path: string): { collection: string; resource: string; name: string } | null {
    const parts = path.split('/').filter(Boolean);
    const base = parts[0] === 'api' ? 2 : parts[0] === 'apis' ? 3 : -1;
    if (base < 0 || parts.length < base) return null;
    const rest = parts.slice(base);
    const scoped = rest.length === 4 && rest[0] === 'namespaces';
    if (rest.length !== 2 && !scoped) return null;
    const [resource, name] = scoped ? [rest[2], rest[3]] : [rest[0], rest[1]];
    if (!resource || !name) return null;
    return { collection: `/${[...parts.slice(0, base), ...(scoped ? rest.slice(0, 3) : [resource])].join('/')}`, resource, name };
}
