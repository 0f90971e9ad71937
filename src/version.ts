// Injected at build time by esbuild (scripts/build.mjs) and by vitest (vitest.config.ts) from package.json.
declare const __VERSION__: string;

export const VERSION: string = __VERSION__;
