/** Replaces the section `name` of docs/performance.md with `text` (appended when it is not there yet). */
export function writeSection(name: string, text: string): void;
