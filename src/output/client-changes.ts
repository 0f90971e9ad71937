import { clientChanges } from '../v5/logical-job.js';
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
