/** Replaces the section `name` of docs/performance.md with `text` (appended when it is not there yet). */
export function writeSection(name: string, text: string): void;
/** Median wall times (ms) of `runs` runs of each [command, args], run in turns after a warm-up run each. */
export function medians<T extends [string, string[]][]>(commands: [...T], runs: number): { [K in keyof T]: number };
