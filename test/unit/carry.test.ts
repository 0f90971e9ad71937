import { describe, expect, it } from 'vitest';
import { FLAVORS } from '../../src/targets/flavors.js';
import type { V4Capture } from '../../src/v4/capture.js';
import { carry } from '../../src/v5/carry.js';
import type { V5Cluster } from '../../src/v5/cluster.js';
import { SOURCE_ANNOTATION } from '../../src/v5/manifest.js';
import { customizedCapture as captureOf } from '../fixtures/v4/customized.js';

const manifest: V5Cluster = {
    apiVersion: 'postgres-operator.crunchydata.com/v1beta1',
    kind: 'PostgresCluster',
    metadata: { name: 'hippo', namespace: 'pgo', annotations: { [SOURCE_ANNOTATION]: 'hippo' } },
    spec: { postgresVersion: 13, instances: [{ name: '00', replicas: 1 }] },
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
                'action: spec.pgBouncer and <c>-pgbouncer-cm',
                'action: spec.exporter',
                'action: backup schedules',
                'action: pgBackRest configuration (<c>-config-backrest, spec.backrestConfig)',
                'action: setup.sql of the custom configuration',
            ]);
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
        const plain: V4Capture = {
            capturedAt: 'T',
            pgcluster: { labels: {}, annotations: {}, spec: { port: '5432', pgBouncer: { resources: {} }, limits: {} } },
            pgreplicas: [],
            configMaps: [],
            secrets: [],
        };
        expect(carry(manifest, plain, FLAVORS.pgo)).toEqual({ manifest, report: [] });
    });
});

describe('carry: parameters a newer major no longer has', () => {
    it('drops them for a logical move into that major, keeps them for the same major', () => {
        const c: V4Capture = {
            capturedAt: 'T',
            pgcluster: { labels: {}, annotations: {}, spec: {} },
            pgreplicas: [],
            configMaps: [
                {
                    role: 'patroni-dcs',
                    name: 'hippo-config',
                    data: {},
                    annotations: { config: JSON.stringify({ postgresql: { parameters: { stats_temp_directory: '/tmp', work_mem: '8MB' } } }) },
                },
            ],
            secrets: [],
        };
        const at = (postgresVersion: number) => carry({ ...manifest, spec: { ...manifest.spec, postgresVersion } }, c, FLAVORS.pgo);
        expect(at(18).manifest.spec?.patroni?.dynamicConfiguration).toEqual({ postgresql: { parameters: { work_mem: '8MB' } } });
        expect(at(18).report).toContainEqual({ outcome: 'dropped', from: 'parameter stats_temp_directory', why: 'PostgreSQL 15 removed it, and the target runs PostgreSQL 18' });
        expect(at(13).manifest.spec?.patroni?.dynamicConfiguration).toEqual({ postgresql: { parameters: { stats_temp_directory: '/tmp', work_mem: '8MB' } } });
    });
});
