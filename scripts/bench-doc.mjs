// docs/performance.md holds one section per benchmark script, each between its own markers, so that every
// script rewrites its figures and leaves the others' alone.
import { spawnSync } from 'node:child_process';
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

/**
 * The median wall time in milliseconds of `runs` runs of each command, run in turns (a, b, a, b, …) after one
 * warm-up run each, so that the machine's load falls on every command alike. Each must exit 0.
 */
export function medians(commands, runs) {
    const times = commands.map(() => []);
    for (const [command, args] of commands) spawnSync(command, args, { stdio: 'ignore' });
    for (let i = 0; i < runs; i++) {
        commands.forEach(([command, args], j) => {
            const start = process.hrtime.bigint();
            const r = spawnSync(command, args, { stdio: 'ignore', maxBuffer: 1 << 30 });
            if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}`);
            times[j].push(Number(process.hrtime.bigint() - start) / 1e6);
        });
    }
    return times.map((t) => {
        t.sort((a, b) => a - b);
        return t.length % 2 ? t[t.length >> 1] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2;
    });
}
