import { dump } from 'js-yaml';

export type OutputFormat = 'table' | 'json' | 'yaml';
export const OUTPUT_FORMATS: OutputFormat[] = ['table', 'json', 'yaml'];

/** Data for machines: JSON as `kubectl -o json` prints it (2 spaces, trailing newline), or YAML. */
export function serialize(data: unknown, format: 'json' | 'yaml'): string {
    if (format === 'json') return `${JSON.stringify(data, null, 2)}\n`;
    return dump(data, { noRefs: true, lineWidth: -1, quotingType: '"' });
}
