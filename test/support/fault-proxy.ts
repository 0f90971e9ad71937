import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { writeKubeconfig } from '../../scripts/test-cluster.js';

/** A request the tool sent, as the proxy saw it. */
export interface Seen {
    method: string;
    /** Path and query. */
    url: string;
    /** How many writes (POST, PUT, PATCH, DELETE; dry runs aside) the proxy saw before this request. */
    writesBefore: number;
    write: boolean;
    /** A write sent with dryRun=All: it changes nothing, so it is not counted as a write. */
    dryRun: boolean;
}

/**
 * What happens to a request: sent on to the API server; answered by the proxy with a status (a 429 or 5xx the
 * server could send) and never sent on; its connection reset, never sent on; or sent on and its connection reset
 * once the server has answered, so the change is made and its answer lost.
 */
export type Fate = 'forward' | { status: number; retryAfterS?: number } | 'reset' | 'lose-answer';

/**
 * An HTTPS proxy in front of the test API server for fault tests: the tool's kubeconfig points at it, it ends TLS
 * with the API server's own certificate (so the same CA verifies it), sends each request on with the tool's own
 * headers (its bearer token, its User-Agent), and streams the answer back, watches included. `decide` picks each
 * request's fate; it may wait (to stop the API server, signal the tool, or write to the object first).
 */
export class FaultProxy {
    readonly seen: Seen[] = [];
    private writes = 0;
    private readonly server: https.Server;
    private readonly sockets = new Set<net.Socket>();
    private readonly upstream: URL;
    private readonly agent: https.Agent;

    constructor(
        upstream: string,
        private readonly ca: string,
        private readonly decide: (req: Seen) => Fate | Promise<Fate>,
    ) {
        this.upstream = new URL(upstream);
        this.agent = new https.Agent({ keepAlive: true, ca: fs.readFileSync(ca) });
        const certDir = path.dirname(ca);
        this.server = https.createServer({ cert: fs.readFileSync(ca), key: fs.readFileSync(path.join(certDir, 'apiserver.key')) }, (req, res) => {
            this.handle(req, res).catch(() => req.socket.destroy());
        });
        this.server.on('secureConnection', (s: net.Socket) => {
            this.sockets.add(s);
            s.on('close', () => this.sockets.delete(s));
        });
    }

    async start(): Promise<this> {
        await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
        return this;
    }

    get url(): string {
        return `https://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
    }

    /** A kubeconfig that reaches the API server through this proxy with `token`. */
    kubeconfig(token: string, namespace?: string): string {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fault-proxy-')), 'kubeconfig');
        writeKubeconfig(file, this.url, this.ca, 'proxied', token, namespace);
        return file;
    }

    async close(): Promise<void> {
        for (const s of this.sockets) s.destroy();
        this.agent.destroy();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const method = req.method ?? 'GET';
        const url = req.url ?? '/';
        const dryRun = new URL(url, 'https://x').searchParams.get('dryRun') === 'All';
        const write = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) && !dryRun;
        const seen: Seen = { method, url, writesBefore: this.writes, write, dryRun };
        if (write) this.writes++;
        this.seen.push(seen);
        const fate = await this.decide(seen);
        if (fate === 'reset') return void req.socket.destroy();
        if (typeof fate === 'object') {
            const reason = http.STATUS_CODES[fate.status]?.replaceAll(' ', '');
            const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'injected by the fault proxy', reason, code: fate.status });
            res.writeHead(fate.status, { 'Content-Type': 'application/json', ...(fate.retryAfterS !== undefined ? { 'Retry-After': String(fate.retryAfterS) } : {}) });
            return void res.end(body);
        }
        const headers = { ...req.headers, host: this.upstream.host };
        const upstream = https.request(new URL(seen.url, this.upstream), { method, headers, agent: this.agent });
        upstream.on('response', (answer) => {
            if (fate === 'lose-answer') {
                answer.resume();
                return void req.socket.destroy();
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
            answer.on('error', () => req.socket.destroy());
        });
        // The API server down or gone mid-answer: the tool sees its connection reset, as it would without a proxy.
        upstream.on('error', () => req.socket.destroy());
        res.on('close', () => {
            if (!res.writableFinished) upstream.destroy();
        });
        upstream.end(Buffer.concat(chunks));
    }
}
