import { describe, expect, it } from 'vitest';
import { FLAVORS } from '../../src/targets/flavors.js';
import { carry } from '../../src/v5/carry.js';
import type { V5Cluster } from '../../src/v5/cluster.js';
import { SOURCE_ANNOTATION } from '../../src/v5/manifest.js';
import { bareCapture, customizedCapture as captureOf } from '../fixtures/v4/customized.js';

const manifest: V5Cluster = {
    apiVersion: 'postgres-operator.crunchydata.com/v1beta1',
    kind: 'PostgresCluster',
    metadata: { name: 'hippo', namespace: 'pgo', annotations: { [SOURCE_ANNOTATION]: 'hippo' } },
    spec: {
        postgresVersion: 13,
        instances: [{ name: '00', replicas: 1 }],
        backups: { pgbackrest: { repos: [{ name: 'repo1', volume: { volumeClaimSpec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1G' } } } } }] } },
    },
};
const line = (r: { outcome: string; from: string }[]) => r.map((i) => `${i.outcome}: ${i.from}`);

describe("carry: v4's configuration into the v5 manifest", () => {
    for (const flavor of [FLAVORS.pgo, FLAVORS.ivyo]) {
        it(`${flavor.name}: instances, resources, tolerations, service, metadata`, () => {
            const { manifest: m } = carry(manifest, captureOf(), flavor);
            expect(m.spec?.instances?.[0]).toEqual({
                name: '00',
                replicas: 3,
                resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '4Gi' } },
                tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'postgres', effect: 'NoSchedule' }],
                affinity: {
                    nodeAffinity: {
                        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disktype', operator: 'In', values: ['ssd'] }] }] },
                    },
                },
            });
            expect(m.spec?.service).toEqual({ type: 'LoadBalancer' });
            // v4's own label pgo-version stays behind.
            expect(m.spec?.metadata).toEqual({ labels: { team: 'payments' }, annotations: { team: 'payments' } });
            // The input is not changed.
            expect(manifest.spec?.instances?.[0]).toEqual({ name: '00', replicas: 1 });
        });

        it(`${flavor.name}: Patroni as v4 ran it: the live DCS over the bootstrap copy over the custom configuration; owned parameters dropped`, () => {
            const { manifest: m, report } = carry(manifest, captureOf(), flavor);
            expect(m.spec?.patroni).toEqual({
                leaderLeaseDurationSeconds: 30,
                syncPeriodSeconds: 10,
                dynamicConfiguration: {
                    synchronous_mode: true,
                    postgresql: {
                        use_pg_rewind: true,
                        // live (300, 1GB) over the bootstrap copy (200, 512MB); the custom configuration's log_min_duration_statement kept.
                        parameters: { log_min_duration_statement: 250, max_connections: 300, shared_buffers: '1GB', work_mem: '16MB' },
                        pg_hba: ['hostssl all all 0.0.0.0/0 md5'],
                    },
                },
            });
            expect(report).toContainEqual({ outcome: 'dropped', from: 'parameter archive_command', why: 'pgBackRest archives and restores, as the operator configures it' });
            expect(report).toContainEqual({ outcome: 'dropped', from: 'pg_hba "local all postgres peer"', why: 'it names a v4 system role, which v5 does not have' });
        });

        it(`${flavor.name}: what is not carried yet is named, each with where it goes`, () => {
            const { report } = carry(manifest, captureOf(), flavor);
            expect(line(report.filter((r) => r.outcome === 'action'))).toEqual([
                'action: spec.tls, spec.tlsOnly',
                'action: pgBackRest configuration (<c>-config-backrest, spec.backrestConfig)',
                'action: setup.sql of the custom configuration',
            ]);
        });

        it(`${flavor.name}: pgBouncer with its pool settings (not those the operator sets), the exporter, the schedule into repo1`, () => {
            const { manifest: m, report } = carry(manifest, captureOf(), flavor);
            expect(m.spec?.proxy).toEqual({
                pgBouncer: {
                    replicas: 1,
                    resources: { requests: { memory: '64Mi' } },
                    config: { global: { pool_mode: 'transaction', default_pool_size: '40', max_client_conn: '500' } },
                },
            });
            expect(line(report.filter((r) => r.outcome === 'dropped' && r.from.startsWith('pgbouncer.ini')))).toEqual([
                'dropped: pgbouncer.ini listen_port',
                'dropped: pgbouncer.ini auth_type',
                'dropped: pgbouncer.ini [databases]',
            ]);
            expect(m.spec?.monitoring).toEqual({ pgmonitor: { exporter: {} } });
            expect(m.spec?.backups?.pgbackrest?.repos?.[0]?.schedules).toEqual({ full: '0 1 * * *' });
            expect(report).toContainEqual({
                outcome: 'translated',
                from: 'schedule hippo-daily-full (0 1 * * *, pgbackrest full to posix)',
                to: 'spec.backups.pgbackrest.repos[0] (repo1).schedules.full',
            });
        });
    }

    it("shared_preload_libraries: the operator's own entries are dropped, per target", () => {
        const c = captureOf();
        const dcs = c.configMaps.find((m) => m.role === 'patroni-dcs')!;
        dcs.annotations = { config: JSON.stringify({ postgresql: { parameters: { shared_preload_libraries: 'pgaudit.so,pg_stat_statements,pg_cron' } } }) };
        const params = (f: typeof FLAVORS.pgo) =>
            (carry(manifest, c, f).manifest.spec?.patroni?.dynamicConfiguration?.postgresql as { parameters: Record<string, unknown> }).parameters;
        expect(params(FLAVORS.pgo).shared_preload_libraries).toBe('pg_stat_statements,pg_cron');
        expect(params(FLAVORS.ivyo).shared_preload_libraries).toBe('pg_stat_statements,pg_cron');
    });

    it('a default v4 cluster carries nothing and reports nothing', () => {
        const plain = bareCapture({ pgcluster: { labels: {}, annotations: {}, spec: { port: '5432', pgBouncer: { resources: {} }, limits: {} } } });
        expect(carry(manifest, plain, FLAVORS.pgo)).toEqual({ manifest, report: [] });
    });
});

describe('carry: schedules v5 cannot take as they are', () => {
    it('a policy, a second full backup of one repository, a storage type the cluster has no repository of: each named for action', () => {
        const c = captureOf();
        const schedule = (name: string, job: Record<string, unknown>) => ({
            role: 'schedule' as const,
            name,
            data: { [name]: JSON.stringify({ name, schedule: '0 3 * * *', ...job }) },
            annotations: {},
        });
        c.configMaps.push(
            schedule('hippo-analyze', { type: 'policy', policy: { name: 'analyze' } }),
            schedule('hippo-second-full', { type: 'pgbackrest', pgbackrest: { type: 'full', storageType: 'posix' } }),
            schedule('hippo-s3-incr', { type: 'pgbackrest', pgbackrest: { type: 'incr', storageType: 's3' } }),
        );
        const { manifest: m, report } = carry(manifest, c, FLAVORS.pgo);
        expect(m.spec?.backups?.pgbackrest?.repos?.[0]?.schedules).toEqual({ full: '0 1 * * *' });
        expect(report.filter((r) => r.from.startsWith('schedule ') && r.outcome === 'action').map((r) => `${r.from}: ${r.why}`)).toEqual([
            'schedule hippo-analyze (0 3 * * *, policy): v5 has no equivalent of this schedule (a policy, or an unknown backup type): run it yourself, e.g. a CronJob',
            'schedule hippo-second-full (0 3 * * *, pgbackrest full to posix): repo1 has a full schedule already (v5 takes one per type and repository): merge them yourself',
            'schedule hippo-s3-incr (0 3 * * *, pgbackrest incr to s3): the v5 cluster has no s3 repository to take it: add one, then set its schedules',
        ]);
    });
});

describe('carry: parameters a newer major no longer has', () => {
    it('drops them for a logical move into that major, keeps them for the same major', () => {
        const c = bareCapture({
            configMaps: [
                {
                    role: 'patroni-dcs',
                    name: 'hippo-config',
                    data: {},
                    annotations: { config: JSON.stringify({ postgresql: { parameters: { stats_temp_directory: '/tmp', work_mem: '8MB' } } }) },
                },
            ],
        });
        const at = (postgresVersion: number) => carry({ ...manifest, spec: { ...manifest.spec, postgresVersion } }, c, FLAVORS.pgo);
        expect(at(18).manifest.spec?.patroni?.dynamicConfiguration).toEqual({ postgresql: { parameters: { work_mem: '8MB' } } });
        expect(at(18).report).toContainEqual({ outcome: 'dropped', from: 'parameter stats_temp_directory', why: 'PostgreSQL 15 removed it, and the target runs PostgreSQL 18' });
        expect(at(13).manifest.spec?.patroni?.dynamicConfiguration).toEqual({ postgresql: { parameters: { stats_temp_directory: '/tmp', work_mem: '8MB' } } });
    });
});

describe('carry: the application users', () => {
    it("every v4 user Secret not of v4's own becomes a spec.users entry (apply copies its password); a name v5 cannot take is named", () => {
        const c = bareCapture({
            secrets: [
                'hippo-alice-secret',
                'hippo-app_user-secret',
                'hippo-exporter-secret',
                'hippo-pgbouncer-secret',
                'hippo-postgres-secret',
                'hippo-primaryuser-secret',
                'hippo-tls-keypair',
            ],
        });
        const withUser = { ...manifest, spec: { ...manifest.spec, users: [{ name: 'hippo' }] } };
        const { manifest: m, report } = carry(withUser, c, FLAVORS.pgo);
        expect(m.spec?.users).toEqual([{ name: 'hippo' }, { name: 'alice' }]);
        expect(line(report)).toEqual(['translated: Secret hippo-alice-secret', 'action: user app_user (Secret hippo-app_user-secret)']);
    });
});
