import { describe, expect, it } from 'vitest';
import { FLAVORS } from '../../src/targets/flavors.js';
import { carry } from '../../src/v5/carry.js';
import type { V5Cluster } from '../../src/v5/cluster.js';
import { SOURCE_ANNOTATION } from '../../src/v5/manifest.js';
import { bareCapture, customizedCapture as captureOf } from '../fixtures/v4/customized.js';

/** The data comes from v4's volumes or backups. */
const PHYSICAL = { physical: true };

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
            const { manifest: m } = carry(manifest, captureOf(), flavor, PHYSICAL);
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
            const { manifest: m, report } = carry(manifest, captureOf(), flavor, PHYSICAL);
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

        it(`${flavor.name}: v4's TLS is carried only with a replication certificate for ${flavor.replicationUser}; tlsOnly is v5's own pg_hba`, () => {
            const without = carry(manifest, captureOf(), flavor, PHYSICAL);
            expect(without.manifest.spec?.customTLSSecret).toBeUndefined();
            expect(without.report.find((r) => r.from === 'spec.tls hippo-tls-keypair, CA hippo-ca')).toMatchObject({
                outcome: 'action',
                to: 'spec.customTLSSecret, spec.customReplicationTLSSecret',
                why: expect.stringContaining(`a client certificate for its replication user ${flavor.replicationUser} signed by the same CA`),
            });
            expect(without.report).toContainEqual({ outcome: 'translated', from: 'spec.tlsOnly', to: "v5's own pg_hba, which admits TLS connections only (hostssl)" });

            const c = captureOf();
            c.pgcluster.spec.pgBouncer = { replicas: 1, tlsSecret: 'hippo-pgbouncer-tls' };
            c.pgcluster.spec.tls = { caSecret: 'hippo-ca', tlsSecret: 'hippo-tls-keypair', replicationTLSSecret: 'hippo-repl' };
            const { manifest: m, report } = carry(manifest, c, flavor, { physical: true, replicationTLSSecret: 'hippo-v5-repl' });
            expect(m.spec?.customTLSSecret).toEqual({ name: 'hippo-v4-tls' });
            expect(m.spec?.customReplicationTLSSecret).toEqual({ name: 'hippo-v5-repl' });
            expect(m.spec?.proxy?.pgBouncer?.customTLSSecret).toEqual({ name: 'hippo-v4-pgbouncer-tls' });
            // What apply builds from: the annotations name v4's key pair and CA.
            expect(m.metadata.annotations).toMatchObject({
                'ivyo-upgrade.ivorysql.org/v4-tls': 'hippo-tls-keypair,hippo-ca',
                'ivyo-upgrade.ivorysql.org/v4-pgbouncer-tls': 'hippo-pgbouncer-tls,hippo-ca',
            });
            expect(line(report.filter((r) => /tls|TLS/.test(r.from)))).toEqual([
                'translated: spec.tls hippo-tls-keypair, CA hippo-ca',
                'carried: --replication-tls-secret hippo-v5-repl',
                'dropped: spec.tls.replicationTLSSecret hippo-repl',
                'translated: spec.tlsOnly',
                'translated: spec.pgBouncer.tlsSecret hippo-pgbouncer-tls, CA hippo-ca',
            ]);
        });

        it(`${flavor.name}: setup.sql ran at v4's bootstrap: dropped for a physical method, named for action in a logical move`, () => {
            const setup = (physical: boolean) => carry(manifest, captureOf(), flavor, { physical }).report.find((r) => r.from === 'setup.sql of the custom configuration');
            expect(setup(true)).toMatchObject({ outcome: 'dropped', why: expect.stringContaining('what it made is in the data') });
            expect(setup(false)).toMatchObject({ outcome: 'action', why: expect.stringContaining('spec.databaseInitSQL') });
        });

        it(`${flavor.name}: pgBouncer with its pool settings (not those the operator sets), the exporter, the schedule into repo1`, () => {
            const { manifest: m, report } = carry(manifest, captureOf(), flavor, PHYSICAL);
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
            (carry(manifest, c, f, PHYSICAL).manifest.spec?.patroni?.dynamicConfiguration?.postgresql as { parameters: Record<string, unknown> }).parameters;
        expect(params(FLAVORS.pgo).shared_preload_libraries).toBe('pg_stat_statements,pg_cron');
        expect(params(FLAVORS.ivyo).shared_preload_libraries).toBe('pg_stat_statements,pg_cron');
    });

    it('a default v4 cluster carries nothing and reports nothing', () => {
        const plain = bareCapture({ pgcluster: { labels: {}, annotations: {}, spec: { port: '5432', pgBouncer: { resources: {} }, limits: {} } } });
        expect(carry(manifest, plain, FLAVORS.pgo, PHYSICAL)).toEqual({ manifest, report: [] });
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
        const { manifest: m, report } = carry(manifest, c, FLAVORS.pgo, PHYSICAL);
        expect(m.spec?.backups?.pgbackrest?.repos?.[0]?.schedules).toEqual({ full: '0 1 * * *' });
        expect(report.filter((r) => r.from.startsWith('schedule ') && r.outcome === 'action').map((r) => `${r.from}: ${r.why}`)).toEqual([
            'schedule hippo-analyze (0 3 * * *, policy): v5 has no equivalent of this schedule (a policy, or an unknown backup type): run it yourself, e.g. a CronJob',
            'schedule hippo-second-full (0 3 * * *, pgbackrest full to posix): repo1 has a full schedule already (v5 takes one per type and repository): merge them yourself',
            'schedule hippo-s3-incr (0 3 * * *, pgbackrest incr to s3): the v5 cluster has no s3 repository to take it: add one, then set its schedules',
        ]);
    });

    it("a schedule's retention options go to global for its repository; other options, and a value global has otherwise, are named", () => {
        const c = bareCapture();
        const schedule = (name: string, type: string, options: string) => ({
            role: 'schedule' as const,
            name,
            data: { [name]: JSON.stringify({ name, schedule: '0 3 * * *', type: 'pgbackrest', pgbackrest: { type, storageType: 'posix', options } }) },
            annotations: {},
        });
        c.configMaps.push(
            { role: 'backrest-config', name: 'hippo-config-backrest', data: { 'a.conf': '[global]\nrepo1-retention-diff=3\n' }, annotations: {} },
            schedule('hippo-full', 'full', '--repo1-retention-full=4 --repo1-retention-full-type count --start-fast'),
            schedule('hippo-diff', 'diff', '--repo1-retention-diff=7'),
        );
        const { manifest: m, report } = carry(manifest, c, FLAVORS.pgo, PHYSICAL);
        expect(m.spec?.backups?.pgbackrest?.global).toEqual({ 'repo1-retention-diff': '3', 'repo1-retention-full': '4', 'repo1-retention-full-type': 'count' });
        expect(line(report.filter((r) => r.from.includes('options')))).toEqual([
            'translated: schedule hippo-full options --repo1-retention-full=4',
            'translated: schedule hippo-full options --repo1-retention-full-type count',
            'action: schedule hippo-full options --start-fast',
            'action: schedule hippo-diff options --repo1-retention-diff=7',
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
        const at = (postgresVersion: number) => carry({ ...manifest, spec: { ...manifest.spec, postgresVersion } }, c, FLAVORS.pgo, PHYSICAL);
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
        const { manifest: m, report } = carry(withUser, c, FLAVORS.pgo, PHYSICAL);
        expect(m.spec?.users).toEqual([{ name: 'hippo' }, { name: 'alice' }]);
        expect(line(report)).toEqual(['translated: Secret hippo-alice-secret', 'action: user app_user (Secret hippo-app_user-secret)']);
    });
});

describe("carry: pgBackRest's configuration, resources and annotations", () => {
    it('[global] options of <c>-config-backrest into global (not those the operator sets, no secret), its Secret and the projections into configuration', () => {
        const c = captureOf();
        c.configMaps = c.configMaps.map((m) =>
            m.role === 'backrest-config'
                ? {
                      ...m,
                      data: {
                          config: '[global]\nrepo1-retention-full=7\nprocess-max=4\nrepo1-path=/backrestrepo/hippo-backrest-shared-repo\nrepo1-cipher-pass=x\nlog-level-file=debug\n\n[global:archive-push]\ncompress-level=3\n',
                      },
                  }
                : m,
        );
        c.secrets = [...c.secrets, 'hippo-config-backrest'];
        c.pgcluster.spec.backrestConfig = [{ secret: { name: 'hippo-cipher' } }, { configMap: { name: 'hippo-config-backrest' } }];
        c.pgcluster.spec.backrestResources = { memory: '128Mi' };
        c.pgcluster.spec.backrestLimits = { memory: '256Mi' };
        c.pgcluster.spec.annotations = { backrest: { 'backup.example.com/team': 'dba' } };
        const { manifest: m, report } = carry(manifest, c, FLAVORS.pgo, PHYSICAL);
        const pgbackrest = m.spec?.backups?.pgbackrest;
        expect(pgbackrest?.global).toEqual({ 'repo1-retention-full': '7', 'process-max': '4' });
        expect(pgbackrest?.configuration).toEqual([{ secret: { name: 'hippo-cipher' } }, { secret: { name: 'hippo-config-backrest' } }]);
        expect(pgbackrest?.repoHost).toEqual({ resources: { requests: { memory: '128Mi' }, limits: { memory: '256Mi' } } });
        expect(pgbackrest?.metadata).toEqual({ annotations: { 'backup.example.com/team': 'dba' } });
        expect(line(report.filter((r) => r.from.startsWith('hippo-config-backrest')))).toEqual([
            'dropped: hippo-config-backrest config repo1-path',
            'action: hippo-config-backrest config repo1-cipher-pass',
            'dropped: hippo-config-backrest config log-level-file',
            'action: hippo-config-backrest config [global:archive-push]',
        ]);
        // The secret's value is in no report line.
        expect(JSON.stringify(report)).not.toContain('repo1-cipher-pass=x');
    });

    it('resources of a repository host dropped where v5 runs none (cloud repositories only)', () => {
        const c = bareCapture({ pgcluster: { labels: {}, annotations: {}, spec: { backrestResources: { cpu: '1' } } } });
        const s3: V5Cluster = { ...manifest, spec: { ...manifest.spec, backups: { pgbackrest: { repos: [{ name: 'repo1', s3: { bucket: 'b', endpoint: 'e', region: 'r' } }] } } } };
        const { manifest: m, report } = carry(s3, c, FLAVORS.pgo, PHYSICAL);
        expect(m.spec?.backups?.pgbackrest?.repoHost).toBeUndefined();
        expect(line(report)).toEqual(['dropped: spec.backrestResources, spec.backrestLimits']);
    });
});

describe('carry: placement', () => {
    for (const flavor of [FLAVORS.pgo, FLAVORS.ivyo]) {
        it(`${flavor.name}: v4's pod anti-affinity over the cluster's PostgreSQL pods and its pgBouncer pods; none for the one repository host`, () => {
            const c = bareCapture({
                pgcluster: {
                    labels: {},
                    annotations: {},
                    spec: { podAntiAffinity: { default: 'preferred', pgBouncer: 'required', pgBackRest: 'preferred' }, pgBouncer: { replicas: 2 } },
                },
            });
            const { manifest: m, report } = carry(manifest, c, flavor, PHYSICAL);
            const p = flavor.labelPrefix;
            expect(m.spec?.instances?.[0]?.affinity).toEqual({
                podAntiAffinity: {
                    preferredDuringSchedulingIgnoredDuringExecution: [
                        {
                            weight: 1,
                            podAffinityTerm: {
                                topologyKey: 'kubernetes.io/hostname',
                                labelSelector: { matchLabels: { [`${p}cluster`]: 'hippo', [`${p}data`]: flavor.dataLabelValue } },
                            },
                        },
                    ],
                },
            });
            expect(m.spec?.proxy?.pgBouncer?.affinity).toEqual({
                podAntiAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: [
                        { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { [`${p}cluster`]: 'hippo', [`${p}role`]: 'pgbouncer' } } },
                    ],
                },
            });
            expect(line(report).filter((l) => l.includes('podAntiAffinity'))).toEqual([
                'translated: spec.podAntiAffinity.default preferred',
                'translated: spec.podAntiAffinity.pgBouncer required',
                'dropped: spec.podAntiAffinity.pgBackRest preferred',
            ]);
        });
    }

    it("4.5's node label (userlabels NodeLabelKey, NodeLabelValue) as the preferred node affinity 4.5 made of it", () => {
        const c = bareCapture({ pgcluster: { labels: {}, annotations: {}, spec: { userlabels: { NodeLabelKey: 'zone', NodeLabelValue: 'a', 'pgo-version': '4.5.1' } } } });
        const { manifest: m, report } = carry(manifest, c, FLAVORS.pgo, PHYSICAL);
        expect(m.spec?.instances?.[0]?.affinity).toEqual({
            nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } }] },
        });
        // v4's own labels do not become v5 metadata.
        expect(m.spec?.metadata).toBeUndefined();
        expect(line(report)).toEqual(['translated: spec.userlabels NodeLabelKey=zone, NodeLabelValue=a (4.5)']);
    });

    it('a pgreplica placed or stored its own way gets an instance set of its own after instances[0]; the others count in instances[0]', () => {
        const withClaim: V5Cluster = {
            ...manifest,
            spec: {
                ...manifest.spec,
                instances: [{ name: '00', replicas: 1, dataVolumeClaimSpec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } }],
            },
        };
        const zone = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }] } };
        const c = bareCapture({
            pgcluster: { labels: {}, annotations: {}, spec: { replicas: '3', resources: { memory: '1Gi' } } },
            pgreplicas: [
                { name: 'hippo-abcd', spec: { replicastorage: { size: '10Gi' } } },
                { name: 'hippo-efgh', spec: { nodeAffinity: zone, replicastorage: { size: '20Gi', storageclass: 'fast' } } },
                { name: 'hippo-ijkl', spec: { userlabels: { NodeLabelKey: 'zone', NodeLabelValue: 'c' } } },
            ],
        });
        const { manifest: m, report } = carry(withClaim, c, FLAVORS.pgo, PHYSICAL);
        const [first, r1, r2] = m.spec?.instances ?? [];
        expect(first).toMatchObject({ name: '00', replicas: 2, resources: { requests: { memory: '1Gi' } } });
        expect(r1).toEqual({
            name: 'r1',
            replicas: 1,
            resources: { requests: { memory: '1Gi' } },
            affinity: { nodeAffinity: zone },
            dataVolumeClaimSpec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } }, storageClassName: 'fast' },
        });
        expect(r2).toMatchObject({ name: 'r2', replicas: 1, affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10 }] } } });
        expect(m.spec?.instances).toHaveLength(3);
        expect(report.filter((r) => r.from.startsWith('spec.replicas') || r.from.startsWith('pgreplica'))).toEqual([
            { outcome: 'translated', from: 'spec.replicas 3, 3 pgreplicas', to: 'spec.instances[0].replicas 2 and 2 instance sets of their own' },
            { outcome: 'translated', from: 'pgreplica hippo-efgh (nodeAffinity, replicastorage)', to: 'spec.instances[1] r1, 1 replica' },
            { outcome: 'translated', from: 'pgreplica hippo-ijkl (userlabels NodeLabelKey=zone, NodeLabelValue=c (4.5))', to: 'spec.instances[2] r2, 1 replica' },
        ]);
    });
});

describe('carry: the rest of the pgcluster spec', () => {
    it('PostGIS from the image tag, pgBadger, disableAutofail, passwordType, the exporter port', () => {
        const c = bareCapture({
            pgcluster: {
                labels: {},
                annotations: {},
                spec: {
                    ccpimage: 'crunchy-postgres-gis-ha',
                    ccpimagetag: 'centos8-13.4-3.1-4.7.4',
                    pgBadger: true,
                    disableAutofail: true,
                    passwordType: 'md5',
                    exporter: true,
                    exporterport: '9999',
                },
            },
        });
        const { manifest: m, report } = carry(manifest, c, FLAVORS.pgo, PHYSICAL);
        expect(m.spec?.postGISVersion).toBe('3.1');
        expect(line(report)).toEqual([
            'translated: spec.exporter (and exporterResources, exporterLimits)',
            'translated: spec.ccpimage crunchy-postgres-gis-ha, ccpimagetag centos8-13.4-3.1-4.7.4',
            'action: PostGIS 3.1',
            'dropped: spec.exporterport 9999',
            'dropped: spec.pgBadger',
            'action: spec.disableAutofail',
            'translated: spec.passwordType md5',
        ]);
    });
});

describe('carry: where the installed CRD takes PostgreSQL parameters', () => {
    const dcs = (parameters: Record<string, unknown>) =>
        bareCapture({ configMaps: [{ role: 'patroni-dcs', name: 'hippo-config', data: {}, annotations: { config: JSON.stringify({ postgresql: { parameters } }) } }] });

    it('spec.config.parameters where the CRD has it (PGO 5.8+): integers as they are, on/off for a boolean, text for the rest', () => {
        const { manifest: m, report } = carry(manifest, dcs({ max_connections: 300, jit: false, random_page_cost: 1.1, work_mem: '16MB' }), FLAVORS.pgo, {
            physical: true,
            parametersAt: { at: 'config' },
        });
        expect(m.spec?.config).toEqual({ parameters: { max_connections: 300, jit: 'off', random_page_cost: '1.1', work_mem: '16MB' } });
        expect(m.spec?.patroni).toBeUndefined();
        expect(report).toEqual([{ outcome: 'carried', from: 'parameters jit, max_connections, random_page_cost, work_mem', to: 'spec.config.parameters' }]);
    });

    it("more than its 50 keys, or a CRD that could not be read: Patroni's dynamic configuration, which every v5 operator takes, and why", () => {
        const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`my.setting_${i}`, i]));
        const over = carry(manifest, dcs(many), FLAVORS.pgo, { physical: true, parametersAt: { at: 'config' } });
        expect(over.manifest.spec?.config).toBeUndefined();
        expect(Object.keys((over.manifest.spec?.patroni?.dynamicConfiguration?.postgresql as { parameters: object }).parameters)).toHaveLength(51);
        expect(over.report[0]?.why).toBe('more than the 50 that spec.config.parameters takes');
        const unread = carry(manifest, dcs({ work_mem: '16MB' }), FLAVORS.pgo, {
            physical: true,
            parametersAt: { at: 'patroni', unread: 'CustomResourceDefinition x: HTTP 403 Forbidden' },
        });
        expect(unread.report).toEqual([
            {
                outcome: 'carried',
                from: 'parameters work_mem',
                to: 'spec.patroni.dynamicConfiguration.postgresql.parameters',
                why: "the CRD's schema could not be read (CustomResourceDefinition x: HTTP 403 Forbidden): the field every v5 operator takes",
            },
        ]);
    });
});

describe('carry: the exporter', () => {
    it("v4's exporter resources and limits become the v5 exporter's", () => {
        const c = bareCapture({ pgcluster: { labels: {}, annotations: {}, spec: { exporter: true, exporterResources: { cpu: '100m' }, exporterLimits: { memory: '128Mi' } } } });
        expect(carry(manifest, c, FLAVORS.ivyo, PHYSICAL).manifest.spec?.monitoring).toEqual({
            pgmonitor: { exporter: { resources: { requests: { cpu: '100m' }, limits: { memory: '128Mi' } } } },
        });
    });
});
