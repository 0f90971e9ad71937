import fs from 'node:fs';
import path from 'node:path';
import { dump, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { KubeObject, Pgcluster } from '../../src/kube/types.js';
import { inspectCluster } from '../../src/v4/model.js';
import { FLAVORS } from '../../src/v5/flavors.js';
import { credentialsSecret } from '../../src/v5/backups-manifest.js';
import { backupsVerdict, volumesVerdict } from '../../src/v5/generate-checks.js';
import { v4Cluster } from '../fixtures/v4/cluster.js';
import { GOLDEN_CASES, generateOffline } from '../support/golden.js';
import { snapshotOf } from '../support/snapshot.js';

const goldenDir = path.resolve('test/fixtures/golden');

describe('generate: golden manifests', () => {
    it.each(GOLDEN_CASES)('$file', (c) => {
        const { verdict, manifest } = generateOffline(c, 'pgo');
        expect(verdict.refusals).toEqual([]);
        const golden = path.join(goldenDir, c.file);
        if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(golden, dump(manifest, { lineWidth: -1, quotingType: '"' }));
        expect(manifest).toEqual(load(fs.readFileSync(golden, 'utf8')));
    });
});

function verdictFor(objects: KubeObject[], flavor: 'ivyo' | 'pgo', request: { image?: string; postgresVersion?: number; v4Live?: boolean } = {}) {
    const snapshot = snapshotOf(objects);
    const inspection = inspectCluster(snapshot, snapshot.pgclusters[0] as Pgcluster, { flavor: FLAVORS[flavor], installed: true, selectedBy: 'flag' });
    return volumesVerdict(inspection, { flavor: FLAVORS[flavor], v4Live: request.v4Live ?? true, image: request.image, postgresVersion: request.postgresVersion });
}
const codes = (v: { refusals: { code: string }[] }) => v.refusals.map((r) => r.code);

describe('generate --method volumes: refusals', () => {
    it('refuses PostgreSQL 13 on IVYO without --image, and says which images IVYO has', () => {
        const v = verdictFor(v4Cluster(), 'ivyo');
        expect(codes(v)).toEqual(['image-required']);
        expect(v.refusals[0]?.message).toContain('run PostgreSQL 17 and 18, and the data is PostgreSQL 13: pass --image');
        expect(v.postgresVersion).toBeNull();
    });

    it('accepts a major the target\'s images run without --image', () => {
        const v = verdictFor(v4Cluster({ imageTag: 'ubi8-16.2-4.7.10' }), 'pgo');
        expect(v.refusals).toEqual([]);
        expect(v.postgresVersion).toBe(16);
    });

    it('refuses --postgres-version that changes the major, and takes it when the tag does not tell', () => {
        expect(codes(verdictFor(v4Cluster(), 'pgo', { image: 'x', postgresVersion: 14 }))).toEqual(['postgres-version-differs']);
        const unknown = verdictFor(v4Cluster({ imageTag: 'latest' }), 'pgo', { image: 'x' });
        expect(codes(unknown)).toEqual(['postgres-major-unknown']);
        expect(verdictFor(v4Cluster({ imageTag: 'latest' }), 'pgo', { image: 'x', postgresVersion: 13 }).postgresVersion).toBe(13);
    });

    it('refuses a WAL PVC whose spec differs from the data PVC', () => {
        expect(codes(verdictFor(v4Cluster({ wal: { storageClass: 'fast' } }), 'pgo', { image: 'x' }))).toEqual(['wal-spec-differs']);
    });

    it('refuses names v4 left behind once the pgcluster is gone, and only warns while v4 still runs', () => {
        const objects = v4Cluster();
        expect(codes(verdictFor(objects, 'pgo', { image: 'x', v4Live: false }))).toEqual(['name-collision']);
        const live = verdictFor(objects, 'pgo', { image: 'x', v4Live: true });
        expect(live.refusals).toEqual([]);
        expect(live.warnings.map((w) => w.code)).toEqual(['pgbackrest-image', 'name-collision', 'v4-running']);
    });

    it('refuses when the primary is ambiguous', () => {
        expect(codes(verdictFor(v4Cluster({ primary: 'hippo-jgut', replicas: ['hippo'], masterPodOf: 'hippo' }), 'pgo', { image: 'x' }))).toEqual(['primary-disagrees']);
    });
});

function backupsFor(objects: KubeObject[], request: { repo: 'posix' | 's3' | 'gcs'; restoreType?: string; restoreTarget?: string }) {
    const snapshot = snapshotOf(objects);
    const inspection = inspectCluster(snapshot, snapshot.pgclusters[0] as Pgcluster, { flavor: FLAVORS.pgo, installed: true, selectedBy: 'flag' });
    return backupsVerdict(inspection, { flavor: FLAVORS.pgo, image: 'x', pgbackrestImage: 'y', v4Live: true, ...request });
}

describe('generate --method backups: refusals and options', () => {
    const S3 = { bucket: 'b', endpoint: 'e', region: 'r' };
    it('refuses a repository the v4 cluster does not have', () => {
        expect(codes(backupsFor(v4Cluster({ repo: { pvc: false } }), { repo: 'posix' }))).toContain('repo-pvc-missing');
        expect(codes(backupsFor(v4Cluster(), { repo: 's3' }))).toEqual(['repo-s3-unknown']);
        expect(codes(backupsFor(v4Cluster(), { repo: 'gcs' }))).toEqual(['repo-gcs-unknown']);
        expect(codes(backupsFor(v4Cluster({ repo: { types: ['s3'], s3: S3 } }), { repo: 's3' }))).toEqual([]);
    });

    it('turns --restore-type/--restore-target into pgBackRest options, and wants both', () => {
        expect(backupsFor(v4Cluster(), { repo: 'posix', restoreType: 'time', restoreTarget: '2026-11-20 14:15:11+00' }).restoreOptions).toEqual(['--type=time', '--target="2026-11-20 14:15:11+00"']);
        expect(backupsFor(v4Cluster(), { repo: 'posix', restoreType: 'immediate' }).restoreOptions).toEqual(['--type=immediate']);
        expect(codes(backupsFor(v4Cluster(), { repo: 'posix', restoreType: 'xid' }))).toEqual(['restore-target-missing']);
        expect(codes(backupsFor(v4Cluster(), { repo: 'posix', restoreTarget: '1234' }))).toEqual(['restore-type-missing']);
    });
});

describe('credentialsSecret', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    it('converts v4 S3 keys into a pgBackRest conf file', () => {
        const s = credentialsSecret('hippo-v4-repo-credentials', 'pgo', 's3', { 'aws-s3-key': b64('AKIA1'), 'aws-s3-key-secret': b64('s3cr3t') }) as { data: Record<string, string> };
        expect(Buffer.from(s.data['s3.conf']!, 'base64').toString()).toBe('[global]\nrepo1-s3-key=AKIA1\nrepo1-s3-key-secret=s3cr3t\n');
    });

    it('carries the v4 GCS key file over and points repo1-gcs-key at it', () => {
        const s = credentialsSecret('c', 'pgo', 'gcs', { 'gcs-key': b64('{"type":"service_account"}') }) as { data: Record<string, string> };
        expect(Buffer.from(s.data['gcs.conf']!, 'base64').toString()).toBe('[global]\nrepo1-gcs-key=/etc/pgbackrest/conf.d/gcs-key.json\n');
        expect(s.data['gcs-key.json']).toBe(b64('{"type":"service_account"}'));
    });
});
