import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('scripts/progress.sh, around the slow steps of the first-run Kubernetes build', () => {
    it('says the step is still going on, with the time so far, and keeps the exit status of the command', () => {
        const r = spawnSync(
            'bash',
            ['-c', 'source scripts/progress.sh; PROGRESS_EVERY=1 with_progress "building things" sleep 2.5; echo "rc=$?"; with_progress quiet false; echo "rc=$?"'],
            { encoding: 'utf8' },
        );
        expect(r.stdout).toBe('rc=0\nrc=1\n');
        expect(r.stderr.split('\n').filter(Boolean)).toEqual(['k8s-assets: still building things (1s so far)', 'k8s-assets: still building things (2s so far)']);
    });

    it('wraps every slow step of k8s-assets.sh, so a first run prints at least once a minute', () => {
        const script = spawnSync('cat', ['scripts/k8s-assets.sh'], { encoding: 'utf8' }).stdout;
        for (const step of ['apt-get install', 'apt-get source', 'make WHAT=']) {
            expect(script).toMatch(new RegExp(`with_progress "[^"]+" .*${step}`));
        }
    });
});
