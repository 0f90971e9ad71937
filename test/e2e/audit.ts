import fs from 'node:fs';
import { adminRequest } from '../../scripts/admin-http.js';
import { ADMIN_TOKEN, type TestCluster } from '../../scripts/test-cluster.js';
import type { PrintedEntry } from '../support/kube.js';

/** One line of the API server's audit log (audit.k8s.io/v1 Event), the fields read here. */
interface AuditEvent {
    stage: string;
    verb: string;
    userAgent?: string;
    requestURI: string;
    objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string; apiGroup?: string };
    responseStatus?: { code?: number };
}

/** The tool's User-Agent, whatever its version (src/kube/client.ts USER_AGENT; the global setup runs without the build's defines). */
const TOOL = /^kubectl-ivyo-upgrade\/\d/;

export interface AuditReport {
    /** The tool's writes (its User-Agent), by `verb resource`, counted. */
    writes: Map<string, number>;
    /** Any DELETE of a PVC or PV the tool sent: there must be none. */
    volumeDeletes: string[];
    /** The Secrets the tool read by name. */
    secretsRead: Set<string>;
    /** Writes sent with dryRun=All (--dry-run=server, and the permission check before a plan's first write): they change nothing. */
    dryRuns: number;
}

const WRITES = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** Reads the audit log of the e2e run (scripts/test-cluster.ts AUDIT_POLICY) for what the tool itself sent. */
export function auditReport(file: string): AuditReport {
    const report: AuditReport = { writes: new Map(), volumeDeletes: [], secretsRead: new Set(), dryRuns: 0 };
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        if (!line) continue;
        const e = JSON.parse(line) as AuditEvent;
        if (e.stage !== 'ResponseComplete' || !TOOL.test(e.userAgent ?? '')) continue;
        const ref = e.objectRef ?? {};
        const resource = `${ref.resource ?? '?'}${ref.subresource ? `/${ref.subresource}` : ''}${ref.apiGroup ? `.${ref.apiGroup}` : ''}`;
        // A dry run of a DELETE of a PVC or PV is still a DELETE the tool sent: it is counted below all the same.
        const dryRun = /[?&]dryRun=All(&|$)/.test(e.requestURI);
        if (WRITES.has(e.verb) && dryRun) report.dryRuns++;
        else if (WRITES.has(e.verb)) report.writes.set(`${e.verb} ${resource}`, (report.writes.get(`${e.verb} ${resource}`) ?? 0) + 1);
        if (e.verb.startsWith('delete') && (ref.resource === 'persistentvolumeclaims' || ref.resource === 'persistentvolumes')) report.volumeDeletes.push(e.requestURI);
        if (e.verb === 'get' && ref.resource === 'secrets' && ref.name) report.secretsRead.add(`${ref.namespace}/${ref.name}`);
    }
    return report;
}

/**
 * Every value of every Secret in the cluster at the end of the run (the fixtures' passwords, keys and tokens, and
 * what the tool copied), looked for in all the commands printed: found, a `namespace/name key` each, never the
 * value. Values under 12 characters (a user name) are left out, as they would match words that are no secret,
 * and so are the public parts of a service account token's Secret.
 */
export async function secretsPrinted(cluster: TestCluster, printedFile: string): Promise<{ checked: number; found: string[] }> {
    const printed = printedLog(printedFile)
        .filter((e) => !e.secretsAsked)
        .map((e) => e.text)
        .join('\n');
    const answer = await adminRequest(cluster.server, ADMIN_TOKEN, 'GET', '/api/v1/secrets');
    const secrets = (JSON.parse(answer.body) as { items: { metadata: { namespace: string; name: string }; type?: string; data?: Record<string, string> }[] }).items;
    const found: string[] = [];
    let checked = 0;
    for (const s of secrets) {
        for (const [key, encoded] of Object.entries(s.data ?? {})) {
            // A service account token's Secret holds its namespace's name and the cluster's CA too: no secrets.
            if (s.type === 'kubernetes.io/service-account-token' && (key === 'namespace' || key === 'ca.crt')) continue;
            const value = Buffer.from(encoded, 'base64').toString('utf8').trim();
            if (value.length < 12) continue;
            checked++;
            if (printed.includes(value) || printed.includes(encoded)) found.push(`${s.metadata.namespace}/${s.metadata.name} ${key}`);
        }
    }
    return { checked, found };
}

function printedLog(file: string): PrintedEntry[] {
    if (!fs.existsSync(file)) return [];
    return fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as PrintedEntry);
}

/**
 * The Secrets the tool read by name (`namespace/name`) that no command run in that namespace (or with no `-n`)
 * named in what it printed: a Secret read beyond the ones the tool names. There must be none.
 */
export function secretsUnnamed(report: AuditReport, printedFile: string): string[] {
    const log = printedLog(printedFile);
    return [...report.secretsRead].filter((read) => {
        const [namespace, name] = read.split('/') as [string, string];
        return !log.some((e) => (e.namespace === null || e.namespace === namespace) && e.text.includes(name));
    });
}
