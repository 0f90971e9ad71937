import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

/** Users have the repository, not the project's private reference: code, docs and messages cite upstream sources. */
describe('citations', () => {
    it('no tracked source, script, test or doc cites a section sign or a file outside the repository', () => {
        const files = execFileSync('git', ['ls-files', 'src', 'scripts', 'test', 'docs', 'README.md', '.ci'], { encoding: 'utf8' })
            .split('\n')
            .filter((f) => f && f !== 'test/unit/citations.test.ts' && !f.startsWith('test/fixtures/crds/') && fs.existsSync(f));
        const offenders = files.filter((f) => /§|\.\.\/shared\/|v4-to-v5-facts|users-pain-and-carry-over|ivyo-and-vanilla-postgres-data/.test(fs.readFileSync(f, 'utf8')));
        expect(offenders).toEqual([]);
    });
});
