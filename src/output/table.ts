import Table from 'cli-table3';

const NO_BORDERS = {
    top: '',
    'top-mid': '',
    'top-left': '',
    'top-right': '',
    bottom: '',
    'bottom-mid': '',
    'bottom-left': '',
    'bottom-right': '',
    left: '',
    'left-mid': '',
    mid: '',
    'mid-mid': '',
    right: '',
    'right-mid': '',
    middle: '   ',
};

/**
 * A kubectl-style table: no borders, columns three spaces apart, trailing blanks trimmed. cli-table3 colours
 * headers even into a pipe unless told not to, so the style is always set here: plain text, every time.
 */
export function renderTable(head: string[], rows: string[][]): string {
    const table = new Table({
        head,
        chars: NO_BORDERS,
        style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
    });
    table.push(...rows);
    return `${table
        .toString()
        .split('\n')
        .map((l) => l.trimEnd())
        .join('\n')}\n`;
}
