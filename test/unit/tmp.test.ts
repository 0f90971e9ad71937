import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

describe('temporary folders', () => {
    it("go into the run's own folder, which the run removes at its end (test/support/tmp-setup.ts)", () => {
        expect(path.basename(os.tmpdir())).toMatch(/^ivyo-upgrade-tests-/);
    });
});
