import type { Io } from '../io.js';
import type { KubeClient } from '../kube/client.js';
import { clientChanges } from '../v5/logical-job.js';
import { logicalResult } from '../v5/logical-state.js';
import { serialize, type OutputFormat } from './format.js';
import { renderTable } from './table.js';

/** What clients must change after a logical move, v4 → v5: a table, or JSON/YAML `{changes: [...]}`. */
export function renderClientChanges(s: Parameters<typeof clientChanges>[0], output: OutputFormat): string {
    const rows = clientChanges(s);
    if (output !== 'table') return serialize({ changes: rows }, output);
    return renderTable(
        ['CLIENTS USE', 'V4', 'V5'],
        rows.map((r) => [r.object, r.v4, r.v5]),
    );
}

/** What the step's Job reported once it succeeded (tables synchronised, lag, rows compared), on stderr. */
export async function showResult(io: Io, client: KubeClient, namespace: string, job: string): Promise<void> {
    const result = await logicalResult(client, namespace, job);
    if (result) io.stderr.write(`\nJob ${job} reported:\n${result.trimEnd().replace(/^/gm, '  ')}\n`);
}
