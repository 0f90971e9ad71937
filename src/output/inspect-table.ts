import type { Inspection, Verdict } from '../v4/inspection.js';
import { METHODS } from '../v4/inspection.js';
import { renderTable } from './table.js';

const dash = (v: string | number | null | undefined) => (v === null || v === undefined || v === '' ? '-' : String(v));

/** The readable report of one cluster: facts, volumes, then one verdict line per method and its findings. */
export function inspectionTable(i: Inspection): string {
    const r = i.repository;
    const facts: [string, string][] = [
        ['Cluster', `${i.cluster.name} (namespace ${i.cluster.namespace})`],
        ['State', dash(i.cluster.state)],
        ['PostgreSQL', `${dash(i.cluster.postgresMajor)}, image ${dash(i.cluster.image)}, port ${dash(i.cluster.port)}`],
        ['Primary', `deployment ${dash(i.primary.deployment)}, pod ${dash(i.primary.pod)} (${i.primary.podCheck})`],
        ['Data', `PVC ${dash(i.primary.pvc)}, directory ${dash(i.primary.dataDirectory)}`],
        ['WAL', i.wal ? `PVC ${i.wal.pvc}, directory ${dash(i.wal.directory)}` : '-'],
        ['Tablespaces', i.tablespaces.map((t) => `${t.name} (PVC ${t.pvc})`).join(', ') || '-'],
        ['Replicas', i.replicas.map((x) => `${dash(x.deployment)} (PVC ${dash(x.pvc)})`).join(', ') || '-'],
        ['Repository', `${r.types.join(',')}, PVC ${dash(r.pvc)}, path ${r.path}, directory ${dash(r.directory)}`],
    ];
    if (r.s3) {
        facts.push([
            'S3',
            `bucket ${dash(r.s3.bucket)}, endpoint ${dash(r.s3.endpoint)}, region ${dash(r.s3.region)}, uri style ${dash(r.s3.uriStyle)}, verify TLS ${r.s3.verifyTLS ? 'yes' : 'no'}`,
        ]);
    }
    if (r.gcs) facts.push(['GCS', `bucket ${dash(r.gcs.bucket)}, endpoint ${dash(r.gcs.endpoint)}, key type ${dash(r.gcs.keyType)}`]);
    facts.push(['User secrets', i.userSecrets.join(', ') || '-']);
    facts.push(['Target', `${i.target.kind} (${i.target.apiVersion}), ${i.target.installed ? 'installed' : 'NOT installed'}, chosen by ${i.target.selectedBy}`]);
    if (i.target.collisions.length > 0) {
        facts.push(['Name collisions', i.target.collisions.map((c) => `${c.kind} ${c.name}`).join(', ')]);
    }
    const width = Math.max(...facts.map(([k]) => k.length));
    const head = facts.map(([k, v]) => `${`${k}:`.padEnd(width + 2)} ${v}`).join('\n');

    const volumes = renderTable(
        ['PVC', 'ROLE', 'PV', 'RECLAIM', 'CLASS', 'ACCESS', 'SIZE', 'SOURCE', 'V4 LABELS'],
        i.volumes.map((v) => [
            v.exists ? v.pvc : `${v.pvc} (missing)`,
            v.role,
            dash(v.pv),
            dash(v.reclaimPolicy),
            dash(v.storageClass),
            v.accessModes.join(',') || '-',
            dash(v.size),
            dash(v.source),
            v.v4Labels.join(',') || '-',
        ]),
    );
    const methods = renderTable(
        ['METHOD', 'READY', 'BLOCKERS', 'WARNINGS'],
        METHODS.map((m) => [m, i.methods[m].ready ? 'yes' : 'no', String(i.methods[m].blockers.length), String(i.methods[m].warnings.length)]),
    );
    const findings = METHODS.flatMap((m) => findingLines(m, i.methods[m]));
    return [head, '', volumes, methods, findings.join('\n')].join('\n').trimEnd() + '\n';
}

function findingLines(method: string, v: Verdict): string[] {
    return [...v.blockers.map((f) => `${method}: BLOCKER ${f.code}: ${f.message}`), ...v.warnings.map((f) => `${method}: warning ${f.code}: ${f.message}`)];
}

/** One row per cluster for `inspect -A` and for a namespace without a cluster name. */
export function inspectionsTable(items: Inspection[], withNamespace: boolean): string {
    const verdict = (v: Verdict) => (v.ready ? 'ready' : `blocked (${v.blockers.length})`);
    const head = ['NAME', 'STATE', 'PRIMARY', 'POSTGRES', 'VOLUMES', 'BACKUPS', 'STANDBY'];
    return renderTable(
        withNamespace ? ['NAMESPACE', ...head] : head,
        items.map((i) => {
            const row = [i.cluster.name, dash(i.cluster.state), dash(i.primary.deployment), dash(i.cluster.postgresMajor), ...METHODS.map((m) => verdict(i.methods[m]))];
            return withNamespace ? [i.cluster.namespace, ...row] : row;
        }),
    );
}
