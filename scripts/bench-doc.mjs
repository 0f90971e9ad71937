// docs/performance.md holds one section per benchmark script, each between its own markers, so that every
// script rewrites its figures and leaves the others' alone.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const FILE = 'docs/performance.md';
const HEAD = '# Performance\n\nEach section is written by the script it names; run it again to measure on your machine.\n';

/** Replaces the section `name` of docs/performance.md with `text` (appended when it is not there yet). */
export function writeSection(name, text) {
    const begin = `<!-- ${name}: begin -->`;
    const end = `<!-- ${name}: end -->`;
    const doc = existsSync(FILE) ? readFileSync(FILE, 'utf8') : HEAD;
    const block = `${begin}\n${text.trimEnd()}\n${end}`;
    const at = doc.indexOf(begin);
    const to = doc.indexOf(end);
    writeFileSync(FILE, at >= 0 && to > at ? `${doc.slice(0, at)}${block}${doc.slice(to + end.length)}` : `${doc.trimEnd()}\n\n${block}\n`);
}
