import fs from 'node:fs';

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
}

const WRITES = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** Reads the audit log of the e2e run (scripts/test-cluster.ts AUDIT_POLICY) for what the tool itself sent. */
export function auditReport(file: string): AuditReport {
    const report: AuditReport = { writes: new Map(), volumeDeletes: [], secretsRead: new Set() };
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        if (!line) continue;
        const e = JSON.parse(line) as AuditEvent;
        if (e.stage !== 'ResponseComplete' || !TOOL.test(e.userAgent ?? '')) continue;
        const ref = e.objectRef ?? {};
        const resource = `${ref.resource ?? '?'}${ref.subresource ? `/${ref.subresource}` : ''}${ref.apiGroup ? `.${ref.apiGroup}` : ''}`;
        if (WRITES.has(e.verb)) report.writes.set(`${e.verb} ${resource}`, (report.writes.get(`${e.verb} ${resource}`) ?? 0) + 1);
        if (e.verb.startsWith('delete') && (ref.resource === 'persistentvolumeclaims' || ref.resource === 'persistentvolumes')) report.volumeDeletes.push(e.requestURI);
        if (e.verb === 'get' && ref.resource === 'secrets' && ref.name) report.secretsRead.add(`${ref.namespace}/${ref.name}`);
    }
    return report;
}
