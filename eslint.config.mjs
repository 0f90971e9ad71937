// Style kept by tools (npm test runs it): no non-null assertions and no type assertions in src, except at the
// boundaries where untyped data comes in (the REST client's JSON, yargs' parsed arguments, js-yaml's documents).
import tseslint from 'typescript-eslint';

export default tseslint.config(
    { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.demo/**'] },
    {
        files: ['src/**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { '@typescript-eslint': tseslint.plugin },
        rules: {
            '@typescript-eslint/no-non-null-assertion': 'error',
            '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'never' }],
        },
    },
    {
        // The boundaries: JSON from the API server (answers and watch events), yargs' parsed arguments, the record's JSON, PostgreSQL's JSON, a manifest's YAML.
        files: ['src/kube/client.ts', 'src/kube/watch.ts', 'src/commands/spec.ts', 'src/v4/record.ts', 'src/v4/preflight.ts', 'src/v5/manifest-file.ts'],
        rules: { '@typescript-eslint/consistent-type-assertions': 'off' },
    },
);
