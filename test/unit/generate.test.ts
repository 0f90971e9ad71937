import path from 'node:path';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { KubeObject, Pgcluster } from '../../src/kube/types.js';
import { inspectCluster } from '../../src/v4/model.js';
import { FLAVORS } from '../../src/targets/flavors.js';
import { credentialsSecret, defaultRepo } from '../../src/v5/repository.js';
import { backupsVerdict, logicalVerdict, volumesVerdict } from '../../src/v5/generate-checks.js';
import { logicalManifest } from '../../src/v5/manifest.js';
import { v4Cluster } from '../fixtures/v4/cluster.js';
import { GOLDEN_CASES, generateOffline } from '../support/golden.js';
import { snapshotOf } from '../support/snapshot.js';

const goldenDir = path.resolve('test/fixtures/golden');

describe('generate: golden manifests', () => {
    // File snapshots: `vitest -u` rewrites them; review the diff.
    it.each(GOLDEN_CASES)('$file', async (c) => {
        const { verdict, manifest } = generateOffline(c, 'pgo');
        expect(verdict.refusals).toEqual([]);
        await expect(dump(manifest, { lineWidth: -1, quotingType: '"' })).toMatchFileSnapshot(path.join(goldenDir, c.file));
    });
});

function verdictFor(objects: KubeObject[], flavor: 'ivyo' | 'pgo', request: { image?: string; postgresVersion?: number; v4Live?: boolean } = {}) {
    const snapshot = snapshotOf(objects);
    const inspection = inspectCluster(snapshot, snapshot.pgclusters[0] as Pgcluster, { flavor: FLAVORS[flavor], installed: true, selectedBy: 'flag' });
    return volumesVerdict(inspection, { flavor: FLAVORS[flavor], v4Live: request.v4Live ?? true, image: request.image, postgresVersion: request.postgresVersion });
}
const codes = (v: { refusals: { code: string }[] }) => v.refusals.map((r) => r.code);

describe('generate --method volumes: refusals', () => {
    it('refuses IVYO for v4 data whatever the image, naming why and the roads that work', () => {
        for (const request of [{}, { image: 'x' }, { image: 'x', postgresVersion: 13 }]) {
            const v = verdictFor(v4Cluster(), 'ivyo', request);
            expect(codes(v)).toEqual(['target-cannot-run-v4-data']);
            expect(v.postgresVersion).toBeNull();
        }
        const message = verdictFor(v4Cluster({ imageTag: 'ubi8-18.1-4.7.10' }), 'ivyo', { image: 'x' }).refusals[0]?.message;
        expect(message).toContain('IvorySQL Operator (IVYO) cannot run data made by vanilla PostgreSQL');
        expect(message).toContain('liboracle_parser and ivorysql_ora');
        expect(message).toContain('--target pgo for this method');
        expect(message).toContain('--method logical, the default for this target: a fresh IvoryCluster');
    });

    it('refuses PostgreSQL 13 on PGO without --image, and says which images PGO has', () => {
        const v = verdictFor(v4Cluster(), 'pgo');
        expect(codes(v)).toEqual(['image-required']);
        expect(v.refusals[0]?.message).toContain('run PostgreSQL 15 and 16 and 17 and 18, and the data is PostgreSQL 13: pass --image');
    });

    it("accepts a major the target's images run without --image", () => {
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

    it('refuses --repo posix where v4 writes only to the cloud: its repo PVC holds no backup', () => {
        const v = backupsFor(v4Cluster({ repo: { types: ['s3'], s3: S3 } }), { repo: 'posix' });
        expect(codes(v)).toEqual(['repo-posix-unused']);
        expect(v.refusals[0]?.message).toContain('use --repo s3');
    });

    it('says which copy is restored when v4 keeps both a posix and a cloud copy', () => {
        const both = v4Cluster({ repo: { types: ['local', 's3'], s3: S3 } });
        expect(backupsFor(both, { repo: 'posix' }).warnings.find((w) => w.code === 'repo-copy')?.message).toMatch(/restores from the posix copy: --repo s3 for the other/);
        expect(backupsFor(both, { repo: 's3' }).warnings.find((w) => w.code === 'repo-copy')?.message).toMatch(/restores from the s3 copy: --repo posix for the other/);
    });

    it('turns --restore-type/--restore-target into pgBackRest options, and wants both', () => {
        expect(backupsFor(v4Cluster(), { repo: 'posix', restoreType: 'time', restoreTarget: '2026-11-20 14:15:11+00' }).restoreOptions).toEqual([
            '--type=time',
            '--target="2026-11-20 14:15:11+00"',
        ]);
        expect(backupsFor(v4Cluster(), { repo: 'posix', restoreType: 'immediate' }).restoreOptions).toEqual(['--type=immediate']);
        expect(codes(backupsFor(v4Cluster(), { repo: 'posix', restoreType: 'xid' }))).toEqual(['restore-target-missing']);
        expect(codes(backupsFor(v4Cluster(), { repo: 'posix', restoreTarget: '1234' }))).toEqual(['restore-type-missing']);
    });
});

describe('credentialsSecret', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    it('converts v4 S3 keys into a pgBackRest conf file', () => {
        const s = credentialsSecret('hippo-v4-repo-credentials', 'pgo', 's3', { 'aws-s3-key': b64('AKIA1'), 'aws-s3-key-secret': b64('s3cr3t') }) as {
            data: Record<string, string>;
        };
        expect(Buffer.from(s.data['s3.conf']!, 'base64').toString()).toBe('[global]\nrepo1-s3-key=AKIA1\nrepo1-s3-key-secret=s3cr3t\n');
        expect(s.data).not.toHaveProperty('s3-ca.crt');
    });

    it("carries v4's S3 CA bundle (aws-s3-ca.crt) and points repo1-s3-ca-file at it", () => {
        const s = credentialsSecret('c', 'pgo', 's3', { 'aws-s3-key': b64('AKIA1'), 'aws-s3-key-secret': b64('s3cr3t'), 'aws-s3-ca.crt': b64('PEM') }) as {
            data: Record<string, string>;
        };
        expect(Buffer.from(s.data['s3.conf']!, 'base64').toString()).toBe(
            '[global]\nrepo1-s3-key=AKIA1\nrepo1-s3-key-secret=s3cr3t\nrepo1-s3-ca-file=/etc/pgbackrest/conf.d/s3-ca.crt\n',
        );
        expect(s.data['s3-ca.crt']).toBe(b64('PEM'));
    });

    it('carries the v4 GCS key file over and points repo1-gcs-key at it', () => {
        const s = credentialsSecret('c', 'pgo', 'gcs', { 'gcs-key': b64('{"type":"service_account"}') }) as { data: Record<string, string> };
        expect(Buffer.from(s.data['gcs.conf']!, 'base64').toString()).toBe('[global]\nrepo1-gcs-key=/etc/pgbackrest/conf.d/gcs-key.json\n');
        expect(s.data['gcs-key.json']).toBe(b64('{"type":"service_account"}'));
    });
});

describe('the default --repo', () => {
    const S3 = { bucket: 'b', endpoint: 'e', region: 'r' };
    const inspect = (objects: KubeObject[]) => {
        const snapshot = snapshotOf(objects);
        return inspectCluster(snapshot, snapshot.pgclusters[0] as Pgcluster, { flavor: FLAVORS.pgo, installed: true, selectedBy: 'flag' });
    };
    it('is the repo PVC only when posix is among the storage types', () => {
        expect(defaultRepo(inspect(v4Cluster()))).toBe('posix');
        expect(defaultRepo(inspect(v4Cluster({ repo: { types: ['local', 's3'], s3: S3 } })))).toBe('posix');
        // v4 made the PVC, but writes only to S3 / GCS.
        expect(defaultRepo(inspect(v4Cluster({ repo: { types: ['s3'], s3: S3 } })))).toBe('s3');
        expect(defaultRepo(inspect(v4Cluster({ repo: { types: ['gcs'], gcs: { bucket: 'g' } } })))).toBe('gcs');
    });
});

describe('generate --method logical: refusals', () => {
    function logical(flavor: 'ivyo' | 'pgo', request: { name?: string; image?: string; postgresVersion?: number; v4Live?: boolean } = {}) {
        const snapshot = snapshotOf(v4Cluster());
        const inspection = inspectCluster(snapshot, snapshot.pgclusters[0] as Pgcluster, { flavor: FLAVORS[flavor], installed: true, selectedBy: 'flag' });
        // The inspection's collisions are those of the name v4 runs; a fresh name collides with nothing.
        const name = request.name ?? 'hippo-v5';
        const i = name === 'hippo' ? inspection : { ...inspection, target: { ...inspection.target, collisions: [] } };
        return logicalVerdict(i, { flavor: FLAVORS[flavor], v4Live: request.v4Live ?? true, image: request.image, postgresVersion: request.postgresVersion, name });
    }

    it("warns of a user spec.users cannot name (the copy still moves it), and leaves it out of the manifest, as v4's exporter Secret", () => {
        const snapshot = snapshotOf(v4Cluster({ users: ['postgres', 'primaryuser', 'hippo', 'app_user', 'exporter'] }));
        const inspection = inspectCluster(snapshot, snapshot.pgclusters[0] as Pgcluster, { flavor: FLAVORS.ivyo, installed: true, selectedBy: 'flag' });
        const fresh = { ...inspection, target: { ...inspection.target, collisions: [] } };
        const v = logicalVerdict(fresh, { flavor: FLAVORS.ivyo, v4Live: true, name: 'hippo-v5' });
        expect(v.warnings.find((w) => w.code === 'user-not-managed')?.message).toBe(
            'user app_user: IvoryCluster takes only lowercase letters, digits and "-" in spec.users, so the operator will not manage it (no Secret hippo-v5-pguser-app_user); the copy still moves the role with its password',
        );
        const m = logicalManifest(fresh, { flavor: FLAVORS.ivyo, name: 'hippo-v5', namespace: 'pgo', postgresVersion: 18 });
        expect(m.spec?.users).toEqual([{ name: 'ivorysql' }, { name: 'hippo' }]);
    });

    it("takes the target's newest major with an image of its own, from PostgreSQL 13 up", () => {
        expect(logical('ivyo')).toMatchObject({ refusals: [], postgresVersion: 18 });
        expect(logical('pgo')).toMatchObject({ refusals: [], postgresVersion: 18 });
        expect(logical('pgo', { postgresVersion: 15 })).toMatchObject({ refusals: [], postgresVersion: 15 });
    });

    it('refuses a --name whose objects v4 still runs, naming the object and the command to run instead', () => {
        const v = logical('ivyo', { name: 'hippo' });
        expect(codes(v)).toContain('name-collision');
        expect(v.postgresVersion).toBeNull();
        const message = v.refusals.find((r) => r.code === 'name-collision')?.message;
        expect(message).toMatch(/^ConfigMap hippo-config exists in namespace pgo, and the v5 cluster hippo would create it while v4 still runs/);
        expect(message).toContain('("kubectl ivyo-upgrade generate hippo -n pgo --method logical --target ivyo --name <another name>")');
    });

    it("refuses a major older than v4's, one without an image, an --image without its major, and a v4 that is gone", () => {
        expect(codes(logical('pgo', { postgresVersion: 12, image: 'x' }))).toEqual(['postgres-version-older']);
        expect(codes(logical('pgo', { postgresVersion: 14 }))).toEqual(['image-required']);
        expect(codes(logical('pgo', { image: 'x' }))).toEqual(['postgres-version-required']);
        expect(codes(logical('pgo', { postgresVersion: 14, image: 'x' }))).toEqual([]);
        expect(codes(logical('ivyo', { v4Live: false }))).toEqual(['v4-not-running']);
    });
});
