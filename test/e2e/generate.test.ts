import fs from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/kube/errors.js';
import { serverSideApply } from '../../src/kube/writes.js';
import { FLAVORS } from '../../src/targets/flavors.js';
import { v4Cluster } from '../fixtures/v4/cluster.js';
import { GOLDEN_CASES, IMAGES } from '../support/golden.js';
import { adminClient, createNamespace, createObjects, run } from '../support/kube.js';

let ns: string;
beforeAll(async () => {
    ns = await createNamespace('generate');
    await createObjects(v4Cluster({ namespace: ns, primary: 'hippo-jgut', replicas: ['hippo'], wal: true }));
});

const golden = (file: string) => load(fs.readFileSync(path.resolve('test/fixtures/golden', file), 'utf8')) as { metadata: { namespace: string; name: string }; apiVersion: string };
const IMAGE_FLAGS = ['--image', IMAGES.image, '--pgbackrest-image', IMAGES.pgbackrestImage];

describe('generate --method volumes on the real API server', () => {
    // The real CRD's structural schema; its CEL rules (x-kubernetes-validations) are dropped at install, as this
    // v1.20 control plane cannot run them (test/fixtures/crds/README.md).
    it.each(GOLDEN_CASES)("golden $file passes the real CRD's structural schema on the server (dryRun=All; CEL rules not checked)", async ({ file, flavor }) => {
        const manifest = golden(file);
        manifest.metadata.namespace = ns;
        const f = FLAVORS[flavor];
        const answer = await serverSideApply<{ metadata: { uid?: string } }>(
            adminClient(),
            `/apis/${f.group}/${f.version}/namespaces/${ns}/${f.plural}/${manifest.metadata.name}`,
            manifest,
            { dryRun: true },
        );
        expect(answer.metadata.uid).toBeTruthy();
    });

    it('proves the validation is real: the server rejects a repo named backup1 and postgresVersion 9', async () => {
        const manifest = golden('volumes-fresh-pgo.yaml') as unknown as {
            metadata: { namespace: string };
            spec: { postgresVersion: number; backups: { pgbackrest: { repos: { name: string }[] } } };
        };
        manifest.metadata.namespace = ns;
        manifest.spec.postgresVersion = 9;
        manifest.spec.backups.pgbackrest.repos[0]!.name = 'backup1';
        const f = FLAVORS.pgo;
        const err = await serverSideApply(adminClient(), `/apis/${f.group}/${f.version}/namespaces/${ns}/${f.plural}/hippo`, manifest, { dryRun: true }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ApiError);
        expect((err as ApiError).status).toBe(422);
        expect((err as ApiError).message).toMatch(/postgresVersion/);
        expect((err as ApiError).message).toMatch(/repos/);
    });

    it('prints the golden manifest for a live failed-over cluster, warning that prepare comes first', async () => {
        const r = await run(['generate', 'hippo', '-n', ns, '--target', 'pgo', ...IMAGE_FLAGS, '--validate']);
        expect(r.code).toBe(0);
        const expected = golden('volumes-failover-pgo.yaml');
        expected.metadata.namespace = ns;
        expect(load(r.stdout)).toEqual(expected);
        expect(r.stderr).toContain(
            `warning: v4-running: pgcluster hippo still exists: run "kubectl ivyo-upgrade prepare hippo -n ${ns} --method volumes --target pgo" before applying this manifest`,
        );
        expect(r.stderr).toContain('warning: name-collision: ConfigMap hippo-config exists');
        expect(r.stderr).toContain("PostgresCluster hippo passed the server's validation (dryRun=All).");
    });

    it('prints JSON with -o json, and renames with --name', async () => {
        const r = await run(['generate', 'hippo', '-n', ns, '--target', 'pgo', ...IMAGE_FLAGS, '-o', 'json', '--name', 'hippo5']);
        expect(r.code).toBe(0);
        const m = JSON.parse(r.stdout) as { kind: string; metadata: { name: string }; spec: { dataSource: { volumes: { pgDataVolume: { pvcName: string } } } } };
        expect(m.kind).toBe('PostgresCluster');
        expect(m.metadata.name).toBe('hippo5');
        expect(m.spec.dataSource.volumes.pgDataVolume.pvcName).toBe('hippo-jgut');
    });

    it("refuses with exit 3 when the target cannot run the data's major and no --image is given", async () => {
        const r = await run(['generate', 'hippo', '-n', ns, '--target', 'pgo']);
        expect(r.code).toBe(3);
        expect(r.stdout).toBe('');
        expect(r.stderr).toContain(
            "error: generate hippo --method volumes refused:\n  image-required: Crunchy PGO v5's own images run PostgreSQL 15 and 16 and 17 and 18, and the data is PostgreSQL 13: pass --image",
        );
    });

    it('refuses the default target, IVYO, whatever the image: no physical method can run v4 data there', async () => {
        const r = await run(['generate', 'hippo', '-n', ns, '--method', 'volumes', ...IMAGE_FLAGS]);
        expect(r.code).toBe(3);
        expect(r.stdout).toBe('');
        expect(r.stderr.split('\n').slice(0, 2)).toEqual([
            'error: generate hippo --method volumes refused:',
            expect.stringMatching(
                /^  target-cannot-run-v4-data: IvorySQL Operator \(IVYO\) cannot run data made by vanilla PostgreSQL.*--target pgo for this method.*--method logical, the default for this target: a fresh IvoryCluster filled by pg_dump and pg_restore or logical replication$/,
            ),
        ]);
    });

    it('--include-secrets never reads a Secret by an empty name: without the v4 repo Secret it refuses', async () => {
        const s3ns = await createNamespace('generate-nosecret');
        const S3 = { bucket: 'b', endpoint: 'e', region: 'r' };
        await createObjects(
            v4Cluster({ namespace: s3ns, repo: { types: ['s3'], s3: S3 } }).filter((o) => !(o.kind === 'Secret' && o.metadata.name === 'hippo-backrest-repo-config')),
        );
        const r = await run(['generate', 'hippo', '-n', s3ns, '--target', 'pgo', '--method', 'backups', ...IMAGE_FLAGS, '--include-secrets']);
        expect(r.code).toBe(3);
        expect(r.stdout).toBe('');
        expect(r.stderr).toContain('repo-credentials-missing: v4 cluster hippo has no repo config Secret (hippo-backrest-repo-config)');
    });

    it('never prints a secret value', async () => {
        const r = await run(['generate', 'hippo', '-n', ns, '--target', 'pgo', ...IMAGE_FLAGS]);
        expect(r.code).toBe(0);
        expect(r.stdout + r.stderr).not.toMatch(/password-example|cGFzc3dvcmQ/);
    });

    it('--method backups --repo s3 keeps the credentials in the cluster unless --include-secrets', async () => {
        const s3ns = await createNamespace('generate-s3');
        await createObjects(
            v4Cluster({ namespace: s3ns, repo: { types: ['local', 's3'], s3: { bucket: 'hippo-backups', endpoint: 's3.us-east-1.amazonaws.com', region: 'us-east-1' } } }),
        );
        const flags = ['generate', 'hippo', '-n', s3ns, '--target', 'pgo', '--method', 'backups', '--repo', 's3', ...IMAGE_FLAGS];
        const plain = await run([...flags, '--validate']);
        expect(plain.code, plain.stderr).toBe(0);
        expect(plain.stderr).toContain('note: the manifest names Secret hippo-v4-repo-credentials; apply makes it from hippo-backrest-repo-config in the cluster');
        expect(plain.stdout + plain.stderr).not.toMatch(/AKIAEXAMPLE|s3-secret-example|QUtJQUVYQU1QTEU/);
        const gitops = await run([...flags, '-o', 'json', '--include-secrets']);
        expect(gitops.code, gitops.stderr).toBe(0);
        const list = JSON.parse(gitops.stdout) as { kind: string; items: { kind: string; data?: Record<string, string> }[] };
        expect(list.kind).toBe('List');
        expect(list.items.map((i) => i.kind)).toEqual(['Secret', 'PostgresCluster']);
        expect(Buffer.from(list.items[0]!.data!['s3.conf']!, 'base64').toString()).toBe(
            '[global]\nrepo1-s3-key=AKIAEXAMPLE\nrepo1-s3-key-secret=s3-secret-example\nrepo1-s3-ca-file=/etc/pgbackrest/conf.d/s3-ca.crt\n',
        );
    });

    it('exits 1 when there is neither a pgcluster nor a record', async () => {
        const r = await run(['generate', 'nope', '-n', ns]);
        expect(r.code).toBe(1);
        expect(r.stderr).toBe(
            `error: pgcluster "nope" not found in namespace "${ns}", and no record of "nope" (ConfigMap nope-ivyo-upgrade) from "kubectl ivyo-upgrade prepare": check the name, -n and the context\n`,
        );
    });
});
