import { load } from 'js-yaml';
import type { Flavor } from '../targets/flavors.js';
import { isObject, type V4Capture } from '../v4/capture.js';
import { V4 } from '../v4/names.js';
import { applicationUsers, V4_SYSTEM_ROLES } from '../v4/preflight.js';
import { isV5UserName } from '../targets/names.js';
import { carryBackrestConfig, carryBackrestResources, carrySchedules } from './carry-backrest.js';
import { nonEmpty, parseIni, parseJson, pgbackrestOf, resourcesOf, strings, text, type CarryItem, type CarryOptions, type Spec } from './carry-common.js';
import { carryAntiAffinity, carryNodeAffinity, carryReplicas } from './carry-placement.js';
import { carryTls } from './carry-tls.js';
import type { V5Cluster } from './cluster.js';
import { SOURCE_ANNOTATION } from './manifest.js';

export type { CarryItem } from './carry-common.js';

/**
 * PostgreSQL parameters the v5 operator owns: it sets them itself, or its CRD rejects them (PGO's
 * `spec.config.parameters` CEL rules, CrunchyData/postgres-operator v5.8.9
 * config/crd/bases/postgres-operator.crunchydata.com_postgresclusters.yaml at cee626dd; IVYO, a fork of PGO 5,
 * sets the same in internal/postgres/parameters.go). Passed through Patroni's dynamic configuration they would be
 * overridden without a word, so they are dropped and reported.
 */
const OWNED: [RegExp, string][] = [
    [/^(config_file|data_directory|external_pid_file|hba_file|ident_file)$/, 'the operator sets the paths of PGDATA and its files'],
    [/^listen_addresses$/, 'network connectivity is always enabled'],
    [/^port$/, 'the port is spec.port'],
    [/^ssl$|^ssl_(?!groups$|ecdh_curve$)/, "TLS is always enabled, with the operator's certificates (spec.customTLSSecret for your own)"],
    [/^unix_socket_/, 'domain socket paths cannot be changed'],
    [/^wal_log_hints$/, 'wal_log_hints are always enabled'],
    [/^(archive_mode|archive_command|restore_command)$/, 'pgBackRest archives and restores, as the operator configures it'],
    [/^recovery_target(_|$)|^recovery_min_apply_delay$/, "recovery is the operator's (spec.dataSource, spec.standby)"],
    [/^hot_standby$/, 'hot_standby is always enabled'],
    [/^(synchronous_standby_names|primary_conninfo|primary_slot_name)$/, 'Patroni manages replication (synchronous_mode carries sync replication)'],
    [/^cluster_name$/, "cluster_name is derived from the cluster's name"],
    [/^(logging_collector|log_file_mode)$/, "the operator's logging settings cannot be changed"],
];

/**
 * shared_preload_libraries entries the operator adds itself: PGO always `pgaudit` (v5.8.9 internal/pgaudit/postgres.go);
 * IVYO `pgaudit`, `liboracle_parser` and `ivorysql_ora` (IvorySQL/ivory-operator internal/pgaudit/postgres.go at d91df9f6).
 */
const OPERATOR_LIBRARIES: Record<string, string[]> = { pgo: ['pgaudit'], ivyo: ['pgaudit', 'liboracle_parser', 'ivorysql_ora'] };

/**
 * Parameters a newer major no longer has (PostgreSQL release notes, "Migration to Version N"): a logical move
 * into that major must not pass them on, or the server refuses to start. With the major that removed each.
 */
const REMOVED: Record<string, number> = {
    wal_keep_segments: 13,
    operator_precedence_warning: 14,
    stats_temp_directory: 15,
    vacuum_defer_cleanup_age: 16,
    promote_trigger_file: 16,
    force_parallel_mode: 16,
    old_snapshot_threshold: 17,
    db_user_namespace: 17,
    trace_recovery_messages: 17,
};

/** userlabels v4 keeps for itself (v4.7 internal/config/labels.go; 4.5 node affinity in NodeLabelKey/NodeLabelValue). */
const V4_OWN_LABELS = new Set(['pgo-version', 'pgouser', 'pg-cluster', 'pgo-backrest', 'backrest-storage-type', 'NodeLabelKey', 'NodeLabelValue', 'crunchy-pgha-scope']);

type Dcs = Record<string, unknown>;

/** Deep merge of Patroni configurations: later wins key by key, as Patroni layers them. */
function mergeDcs(...layers: Dcs[]): Dcs {
    const out: Dcs = {};
    for (const layer of layers) {
        for (const [k, v] of Object.entries(layer)) out[k] = isObject(v) && isObject(out[k]) ? mergeDcs(out[k], v) : v;
    }
    return out;
}

function parseYaml(text: string | undefined): Dcs {
    if (!text) return {};
    const y = load(text);
    return isObject(y) ? y : {};
}

/**
 * v4's Patroni configuration as it ran, each layer over the one before: the custom configuration's bootstrap
 * DCS (`postgres-ha.yaml`), the bootstrap copy in `<c>-pgha-config`, then the live DCS (`<c>-config`, annotation
 * `config`: what `patronictl edit-config` changed). Local settings (pg_hba, parameters) come from each member's
 * `<member>-local-config` and the custom configuration's `postgresql` section.
 */
function patroniOf(c: V4Capture, cluster: string): { dcs: Dcs; local: Dcs; unreadable: boolean } {
    const byRole = (role: string) => c.configMaps.filter((m) => m.role === role);
    const custom = parseYaml(byRole('custom-config')[0]?.data['postgres-ha.yaml']);
    const bootstrap = isObject(custom.bootstrap) && isObject(custom.bootstrap.dcs) ? custom.bootstrap.dcs : {};
    const pgha = byRole('pgha-config')[0]?.data ?? {};
    const live = byRole('patroni-dcs')[0]?.annotations.config;
    const locals = Object.entries(pgha)
        .filter(([k]) => k.endsWith('-local-config'))
        .map(([, v]) => parseYaml(v));
    const customLocal = isObject(custom.postgresql) ? { postgresql: custom.postgresql } : {};
    const liveDcs = live === undefined ? {} : parseJson(live);
    return {
        dcs: mergeDcs(bootstrap, parseYaml(pgha[`${cluster}-dcs-config`]), liveDcs ?? {}),
        unreadable: liveDcs === null,
        local: mergeDcs(customLocal, ...locals),
    };
}

/** `spec.config.parameters` takes integers and strings (x-kubernetes-int-or-string): `on`/`off` for a boolean, text for the rest. */
function intOrString(params: Record<string, unknown>): Record<string, number | string> {
    return Object.fromEntries(
        Object.entries(params).map(([k, v]) => [k, typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v)]),
    );
}

/** A pg_hba rule naming a v4 system role in its user field (the third of `host db user addr method`). */
function namesV4Role(rule: string): boolean {
    // local DATABASE USER METHOD, host DATABASE USER ADDRESS METHOD: the user is the third field either way.
    const user = rule.trim().split(/\s+/)[2] ?? '';
    return user.split(',').some((u) => V4_SYSTEM_ROLES.includes(u));
}

/**
 * Carries what prepare captured of v4 into the manifest, per target, and reports every item. What this version
 * does not carry yet is reported as needing action, never left out without a word.
 */
export function carry(manifest: V5Cluster, c: V4Capture, flavor: Flavor, o: CarryOptions): { manifest: V5Cluster; report: CarryItem[] } {
    const report: CarryItem[] = [];
    const spec = c.pgcluster.spec;
    const cluster = manifest.metadata.annotations?.[SOURCE_ANNOTATION] ?? manifest.metadata.name;
    const out: V5Cluster = structuredClone(manifest);
    const s = (out.spec ??= {});
    const instance = s.instances?.[0];

    // Instances: the primary's settings; the replicas (and instance sets of their own) last, from them.
    const resources = resourcesOf(spec.resources, spec.limits);
    if (instance && resources) {
        instance.resources = resources;
        report.push({ outcome: 'translated', from: 'spec.resources, spec.limits', to: 'spec.instances[0].resources.requests, .limits' });
    }
    if (instance && Array.isArray(spec.tolerations) && spec.tolerations.length > 0) {
        instance.tolerations = spec.tolerations.filter(isObject);
        report.push({ outcome: 'carried', from: 'spec.tolerations', to: 'spec.instances[0].tolerations' });
    }
    const annotations = isObject(spec.annotations) ? spec.annotations : {};
    if (instance && nonEmpty(annotations.postgres)) {
        instance.metadata = { annotations: strings(annotations.postgres) };
        report.push({ outcome: 'translated', from: 'spec.annotations.postgres', to: 'spec.instances[0].metadata.annotations' });
    }
    if (typeof spec.serviceType === 'string' && spec.serviceType !== '' && spec.serviceType !== 'ClusterIP') {
        s.service = { type: spec.serviceType };
        report.push({ outcome: 'translated', from: `spec.serviceType ${spec.serviceType}`, to: `spec.service.type ${spec.serviceType}` });
    }
    const labels = Object.fromEntries(Object.entries(strings(spec.userlabels)).filter(([k]) => !V4_OWN_LABELS.has(k)));
    if (Object.keys(labels).length > 0 || nonEmpty(annotations.global)) {
        s.metadata = {
            ...(Object.keys(labels).length > 0 ? { labels } : {}),
            ...(nonEmpty(annotations.global) ? { annotations: strings(annotations.global) } : {}),
        };
        report.push({ outcome: 'translated', from: "spec.userlabels (v4's own left out), spec.annotations.global", to: 'spec.metadata.labels, .annotations' });
    }

    // Patroni and PostgreSQL.
    const { dcs, local, unreadable } = patroniOf(c, cluster);
    if (unreadable) {
        report.push({
            outcome: 'action',
            from: `the live Patroni configuration (${cluster}-config, annotation config)`,
            why: 'it is not a JSON object: what patronictl edit-config changed is not carried; set it yourself',
        });
    }
    const dynamic: Dcs = {};
    const pg = isObject(dcs.postgresql) ? dcs.postgresql : {};
    const params = {
        ...(isObject(local.postgresql) && isObject(local.postgresql.parameters) ? local.postgresql.parameters : {}),
        ...(isObject(pg.parameters) ? pg.parameters : {}),
    };
    const kept: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(params)) {
        const owned = OWNED.find(([re]) => re.test(name));
        const removedIn = REMOVED[name];
        if (owned) {
            report.push({ outcome: 'dropped', from: `parameter ${name}`, why: owned[1] });
        } else if (removedIn !== undefined && (s.postgresVersion ?? 0) >= removedIn) {
            report.push({ outcome: 'dropped', from: `parameter ${name}`, why: `PostgreSQL ${removedIn} removed it, and the target runs PostgreSQL ${String(s.postgresVersion)}` });
        } else if (name === 'wal_level' && value !== 'logical') {
            report.push({ outcome: 'dropped', from: `parameter wal_level ${String(value)}`, why: 'the operator sets wal_level logical' });
        } else if (name === 'shared_preload_libraries') {
            const own = OPERATOR_LIBRARIES[flavor.name] ?? [];
            const libs = String(value)
                .split(',')
                .map((l) => l.trim())
                .filter((l) => l !== '' && !own.includes(l.replace(/\.so$/, '')));
            if (libs.length > 0) kept[name] = libs.join(',');
            report.push({
                outcome: 'translated',
                from: `parameter shared_preload_libraries ${String(value)}`,
                to: `${libs.join(',') || '(none)'}: the operator adds ${own.join(', ')} itself`,
            });
        } else {
            kept[name] = value;
        }
    }
    const pgOut: Dcs = {};
    const names = Object.keys(kept);
    const at = o.parametersAt ?? { at: 'patroni' };
    if (names.length > 0 && at.at === 'config' && names.length <= 50) {
        s.config = { ...s.config, parameters: intOrString(kept) };
        report.push({ outcome: 'carried', from: `parameters ${names.sort().join(', ')}`, to: 'spec.config.parameters' });
    } else if (names.length > 0) {
        pgOut.parameters = kept;
        const why =
            at.at === 'config'
                ? `more than the 50 that spec.config.parameters takes`
                : at.unread
                  ? `the CRD's schema could not be read (${at.unread}): the field every v5 operator takes`
                  : undefined;
        report.push({ outcome: 'carried', from: `parameters ${names.sort().join(', ')}`, to: 'spec.patroni.dynamicConfiguration.postgresql.parameters', ...(why ? { why } : {}) });
    }
    if (typeof pg.use_pg_rewind === 'boolean') {
        pgOut.use_pg_rewind = pg.use_pg_rewind;
        report.push({ outcome: 'carried', from: 'postgresql.use_pg_rewind', to: 'spec.patroni.dynamicConfiguration.postgresql.use_pg_rewind' });
    }
    const hba = [...(isObject(local.postgresql) && Array.isArray(local.postgresql.pg_hba) ? local.postgresql.pg_hba : []), ...(Array.isArray(pg.pg_hba) ? pg.pg_hba : [])].map(
        String,
    );
    const hbaKept = [...new Set(hba)].filter((r) => !namesV4Role(r));
    for (const r of [...new Set(hba)].filter(namesV4Role)) report.push({ outcome: 'dropped', from: `pg_hba "${r}"`, why: 'it names a v4 system role, which v5 does not have' });
    if (hbaKept.length > 0) {
        pgOut.pg_hba = hbaKept;
        report.push({ outcome: 'carried', from: `pg_hba (${hbaKept.length} rule${hbaKept.length === 1 ? '' : 's'})`, to: 'spec.patroni.dynamicConfiguration.postgresql.pg_hba' });
    }
    if (Object.keys(pgOut).length > 0) dynamic.postgresql = pgOut;
    const sync = dcs.synchronous_mode === true || spec.syncReplication === true;
    if (sync) {
        dynamic.synchronous_mode = true;
        report.push({ outcome: 'translated', from: 'spec.syncReplication / synchronous_mode', to: 'spec.patroni.dynamicConfiguration.synchronous_mode' });
    }
    const patroni: NonNullable<NonNullable<V5Cluster['spec']>['patroni']> = {};
    if (Object.keys(dynamic).length > 0) patroni.dynamicConfiguration = dynamic;
    if (typeof dcs.ttl === 'number') {
        patroni.leaderLeaseDurationSeconds = dcs.ttl;
        report.push({ outcome: 'translated', from: `ttl ${dcs.ttl}`, to: 'spec.patroni.leaderLeaseDurationSeconds' });
    }
    if (typeof dcs.loop_wait === 'number') {
        patroni.syncPeriodSeconds = dcs.loop_wait;
        report.push({ outcome: 'translated', from: `loop_wait ${dcs.loop_wait}`, to: 'spec.patroni.syncPeriodSeconds' });
    }
    if (Object.keys(patroni).length > 0) s.patroni = patroni;

    carryUsers(c, s, cluster, report);
    carryNodeAffinity(spec, instance, report);
    carryPgBouncer(c, s, annotations, report);
    carryAntiAffinity(spec, s, flavor, out.metadata.name, report);
    carryReplicas(c, s, report);
    carryExporter(spec, s, report);
    carryBackrestConfig(c, s, cluster, report);
    carrySchedules(c, s, report, o.standby === true);
    carryBackrestResources(spec, s, report);
    carryTls(c, out, flavor, o, report);
    carryRest(c, s, o, report);
    return { manifest: out, report };
}

/**
 * Every v4 application user (a Secret `<c>-<user>-secret`, v4 internal/util/secrets.go; not a v4 system role,
 * not pgBouncer's or the exporter's) → `spec.users`, so the operator manages it; apply copies its v4 password
 * into the v5 Secret first, so its password stays. A name v5 cannot take is reported for action.
 */
function carryUsers(c: V4Capture, s: Spec, cluster: string, report: CarryItem[]): void {
    const listed = new Set((s.users ?? []).map((u) => u.name));
    for (const u of applicationUsers(cluster, c.secrets)) {
        const from = `Secret ${V4.userSecret(cluster, u)}`;
        if (listed.has(u)) {
            report.push({ outcome: 'carried', from, to: `spec.users ${u} (apply copies its v4 password)` });
        } else if (isV5UserName(u)) {
            (s.users ??= []).push({ name: u });
            report.push({ outcome: 'translated', from, to: `spec.users ${u} (apply copies its v4 password)` });
        } else {
            report.push({
                outcome: 'action',
                from: `user ${u} (${from})`,
                why: 'spec.users takes only lowercase letters, digits and "-": its role and password stay in the database, but the operator will not manage it',
            });
        }
    }
}

/**
 * pgbouncer.ini settings the v5 operator writes itself, and would let a carried value override (PGO v5.8.9
 * internal/pgbouncer/config.go: "Override the above with any specified settings"): listening, authentication,
 * TLS, sockets and files. Carried over, they would break pgBouncer; so they are dropped and reported.
 */
const PGBOUNCER_OWNED = /^(listen_|auth_|unix_socket_|client_tls_|server_tls_|logfile$|pidfile$|admin_users$|stats_users$|conffile$)/;

/** v4's pgBouncer (spec.pgBouncer, `<c>-pgbouncer-cm`) → spec.proxy.pgBouncer: replicas, resources, service type, annotations, pool settings. */
function carryPgBouncer(c: V4Capture, s: Spec, annotations: Record<string, unknown>, report: CarryItem[]): void {
    const b = isObject(c.pgcluster.spec.pgBouncer) ? c.pgcluster.spec.pgBouncer : {};
    const replicas = Number(b.replicas ?? 0);
    if (!(replicas > 0)) return;
    const pgBouncer: NonNullable<NonNullable<Spec['proxy']>['pgBouncer']> = { replicas };
    const resources = resourcesOf(b.resources, b.limits);
    if (resources) pgBouncer.resources = resources;
    if (typeof b.serviceType === 'string' && b.serviceType !== '' && b.serviceType !== 'ClusterIP') pgBouncer.service = { type: b.serviceType };
    if (nonEmpty(annotations.pgBouncer)) pgBouncer.metadata = { annotations: strings(annotations.pgBouncer) };
    const ini = parseIni(c.configMaps.find((m) => m.role === 'pgbouncer')?.data['pgbouncer.ini']);
    const global: Record<string, string> = {};
    for (const [k, v] of Object.entries(ini.pgbouncer ?? {})) {
        if (PGBOUNCER_OWNED.test(k)) report.push({ outcome: 'dropped', from: `pgbouncer.ini ${k}`, why: 'the operator sets it (listening, authentication, TLS, files)' });
        else global[k] = v;
    }
    if (Object.keys(ini.databases ?? {}).length > 0) {
        report.push({ outcome: 'dropped', from: 'pgbouncer.ini [databases]', why: 'the operator writes the databases section for its own Service' });
    }
    if (Object.keys(global).length > 0) pgBouncer.config = { global };
    s.proxy = { pgBouncer };
    const carried = ['replicas', ...(pgBouncer.resources ? ['resources'] : []), ...(pgBouncer.service ? ['serviceType'] : []), ...(pgBouncer.metadata ? ['annotations'] : [])];
    report.push({
        outcome: 'translated',
        from: `spec.pgBouncer ${carried.join(', ')}${pgBouncer.config ? `; pgbouncer.ini ${Object.keys(global).sort().join(', ')}` : ''}`,
        to: 'spec.proxy.pgBouncer',
    });
}

/** v4's exporter sidecar → spec.monitoring.pgmonitor.exporter (the operator's exporter image, v4's resources). */
function carryExporter(spec: Record<string, unknown>, s: Spec, report: CarryItem[]): void {
    if (spec.exporter !== true) return;
    const resources = resourcesOf(spec.exporterResources, spec.exporterLimits);
    s.monitoring = { pgmonitor: { exporter: resources ? { resources } : {} } };
    report.push({ outcome: 'translated', from: 'spec.exporter (and exporterResources, exporterLimits)', to: 'spec.monitoring.pgmonitor.exporter' });
}

/** `ccpimagetag` of a v4 PostGIS image: `<base>-<pg>-<postgis>-<pgo>`, e.g. `centos8-13.4-3.1-4.7.4` (v4.7.9 docs, crunchy-postgres-gis-ha). */
const GIS_TAG = /-\d+(?:\.\d+)?-(\d+\.\d+)-\d+\.\d+\.\d+(?:-\d+)?$/;

/**
 * The rest of the pgcluster's spec: PostGIS (`spec.postGISVersion`, with an image that has it), pgBackRest's
 * annotations, the exporter's port, pgBadger, `disableAutofail`, `passwordType`, and the custom configuration's
 * `setup.sql`, which v4 ran once at bootstrap.
 */
function carryRest(c: V4Capture, s: Spec, o: CarryOptions, report: CarryItem[]): void {
    const spec = c.pgcluster.spec;
    const image = text(spec.ccpimage);
    const gis = image?.includes('gis') ? GIS_TAG.exec(text(spec.ccpimagetag) ?? '')?.[1] : undefined;
    if (image?.includes('gis')) {
        if (gis) {
            s.postGISVersion = gis;
            report.push({ outcome: 'translated', from: `spec.ccpimage ${image}, ccpimagetag ${String(spec.ccpimagetag)}`, to: `spec.postGISVersion ${gis}` });
        }
        report.push({
            outcome: 'action',
            from: `PostGIS ${gis ?? '(version not in the image tag)'}`,
            why: `the image must have PostGIS ${gis ?? 'of the version v4 ran'} for PostgreSQL ${String(s.postgresVersion)} (--image, or the operator's own PostGIS image where it has one), or the databases' postgis extension cannot load`,
        });
    }
    const annotations = isObject(spec.annotations) ? spec.annotations : {};
    if (nonEmpty(annotations.backrest)) {
        pgbackrestOf(s).metadata = { annotations: strings(annotations.backrest) };
        report.push({ outcome: 'translated', from: 'spec.annotations.backrest', to: 'spec.backups.pgbackrest.metadata.annotations' });
    }
    if (spec.exporter === true && text(spec.exporterport) && text(spec.exporterport) !== '9187') {
        report.push({ outcome: 'dropped', from: `spec.exporterport ${String(spec.exporterport)}`, why: "v5's exporter listens on 9187: point your Prometheus there" });
    }
    if (spec.pgBadger === true) report.push({ outcome: 'dropped', from: 'spec.pgBadger', why: 'v5 has no pgBadger sidecar: run pgBadger over the PostgreSQL logs yourself' });
    if (spec.disableAutofail === true) {
        report.push({
            outcome: 'action',
            from: 'spec.disableAutofail',
            why: 'v5 always lets Patroni fail over: to hold it, run "patronictl pause" in a v5 instance pod once the cluster runs',
        });
    }
    const passwordType = text(spec.passwordType);
    if (passwordType) {
        report.push({
            outcome: passwordType === 'scram-sha-256' ? 'carried' : 'translated',
            from: `spec.passwordType ${passwordType}`,
            to: 'scram-sha-256, as v5 stores every password it sets (and its pg_hba asks): clients must speak SCRAM',
        });
    }
    if (c.configMaps.some((m) => m.role === 'custom-config' && m.data['setup.sql'])) {
        report.push(
            o.physical
                ? { outcome: 'dropped', from: 'setup.sql of the custom configuration', why: 'v4 ran it once, at its bootstrap: what it made is in the data v5 takes over' }
                : {
                      outcome: 'action',
                      from: 'setup.sql of the custom configuration',
                      why: 'v4 ran it once, at its bootstrap: the move copies the databases and users it made; what else it did (settings, template1) do on v5 yourself, or put it in spec.databaseInitSQL',
                  },
        );
    }
}
