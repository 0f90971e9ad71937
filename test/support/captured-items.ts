import { load } from 'js-yaml';
import type { V4Capture } from '../../src/v4/capture.js';

type Obj = Record<string, unknown>;
const obj = (x: unknown): Obj => (typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Obj) : {});
const filled = (x: unknown) => (Array.isArray(x) ? x.length > 0 : Object.keys(obj(x)).length > 0);
const word = (s: string) => new RegExp(`(^|[^a-z0-9_-])${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^a-z0-9_-]|$)`);
/** An ini file's section headers and keys; a key of `[databases]` (a database name, not a setting) as its section. */
const iniKeys = (text: string) => {
    let section = '';
    return text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith(';'))
        .map((l) => {
            if (l.startsWith('[')) section = l;
            return l.startsWith('[') || section === '[databases]' ? section : l.slice(0, l.indexOf('=')).trim();
        });
};
/** v4's own users, whose Secrets are not application users (v4.7.9 internal/util/secrets.go, internal/config). */
const V4_USERS = ['postgres', 'primaryuser', 'crunchyadm', 'pgbouncer', 'exporter', 'ccp_monitoring'];

/**
 * Each item of a v4 capture that issue 11 names, as a pattern some line of the carry report (its `from`) must match:
 * an enumeration of the capture's own content (the pgcluster's spec as v4.7.9 pkg/apis/crunchydata.com/v1/cluster.go
 * defines it, Patroni's parameters, pgbouncer.ini and pgBackRest keys, schedules, user Secrets), written apart from
 * src/v5/carry*.ts, so an item the carry forgets to report fails the test.
 */
export function capturedItems(c: V4Capture): [string, RegExp][] {
    const spec = c.pgcluster.spec;
    const items: [string, RegExp][] = [];
    const add = (what: string, re: RegExp) => items.push([what, re]);
    if (Number(spec.replicas ?? 0) > 0 || c.pgreplicas.length > 0) add('replicas', /spec\.replicas/);
    for (const r of c.pgreplicas) {
        if (filled(r.spec.nodeAffinity) || filled(r.spec.tolerations) || obj(r.spec.userlabels).NodeLabelKey) add(`pgreplica ${r.name}`, word(`pgreplica ${r.name}`));
    }
    for (const k of ['resources', 'limits', 'tolerations', 'backrestResources', 'backrestLimits']) if (filled(spec[k])) add(k, word(`spec.${k}`));
    if (filled(obj(spec.nodeAffinity).default)) add('nodeAffinity', /spec\.nodeAffinity/);
    const labels = obj(spec.userlabels);
    if (labels.NodeLabelKey) add('NodeLabelKey', /NodeLabelKey/);
    if (Object.keys(labels).some((k) => !['pgo-version', 'NodeLabelKey', 'NodeLabelValue', 'pgouser'].includes(k))) add('userlabels', /spec\.userlabels/);
    for (const [k, v] of Object.entries(obj(spec.podAntiAffinity))) if (v === 'required' || v === 'preferred') add(`podAntiAffinity.${k}`, word(`spec.podAntiAffinity.${k}`));
    if (spec.serviceType && spec.serviceType !== 'ClusterIP') add('serviceType', /spec\.serviceType/);
    for (const [k, v] of Object.entries(obj(spec.annotations)))
        if (filled(v)) add(`annotations.${k}`, k === 'pgBouncer' ? /spec\.pgBouncer .*annotations/ : word(`spec.annotations.${k}`));
    for (const k of ['syncReplication', 'passwordType', 'exporter', 'tlsOnly', 'pgBadger', 'disableAutofail'])
        if (spec[k] === true || (typeof spec[k] === 'string' && spec[k] !== '')) add(k, word(k));
    if (spec.exporterport && spec.exporterport !== '9187') add('exporterport', /exporterport/);
    const bouncer = obj(spec.pgBouncer);
    if (Number(bouncer.replicas ?? 0) > 0) add('pgBouncer', /spec\.pgBouncer/);
    if (Number(bouncer.replicas ?? 0) > 0 && filled(bouncer.resources)) add('pgBouncer.resources', /spec\.pgBouncer .*resources/);
    if (bouncer.tlsSecret) add('pgBouncer.tlsSecret', /pgBouncer\.tlsSecret/);
    const tls = obj(spec.tls);
    if (tls.tlsSecret || tls.caSecret) add('tls', /spec\.tls /);
    if (tls.replicationTLSSecret) add('tls.replicationTLSSecret', /replicationTLSSecret/);
    if (String(spec.ccpimage ?? '').includes('gis')) add('PostGIS', /PostGIS/);
    for (const p of Array.isArray(spec.backrestConfig) ? spec.backrestConfig : []) {
        const name = obj(obj(p).secret).name;
        if (typeof name === 'string') add(`backrestConfig Secret ${name}`, word(`Secret ${name}`));
    }
    if (c.secrets.includes(`${String(spec.clustername ?? spec.name)}-config-backrest`)) add('Secret <c>-config-backrest', /Secret .*-config-backrest/);

    for (const m of c.configMaps) {
        const patroni: Obj[] = [];
        if (m.role === 'patroni-dcs' && m.annotations.config) patroni.push(obj(JSON.parse(m.annotations.config)));
        if (m.role === 'pgha-config') patroni.push(...Object.values(m.data).map((t) => obj(load(t))));
        if (m.role === 'custom-config' && m.data['postgres-ha.yaml'])
            patroni.push(obj(obj(obj(load(m.data['postgres-ha.yaml'])).bootstrap).dcs), obj(load(m.data['postgres-ha.yaml'])));
        if (m.role === 'custom-config' && m.data['setup.sql']) add('setup.sql', /setup\.sql/);
        for (const p of patroni) {
            const pg = obj(p.postgresql);
            for (const k of Object.keys(obj(pg.parameters))) add(`parameter ${k}`, word(k));
            if (filled(pg.pg_hba)) add('pg_hba', /pg_hba/);
            for (const k of ['use_pg_rewind', 'ttl', 'loop_wait', 'synchronous_mode']) if (p[k] !== undefined || pg[k] !== undefined) add(k, word(k));
        }
        if (m.role === 'pgbouncer') for (const k of iniKeys(m.data['pgbouncer.ini'] ?? '')) add(`pgbouncer.ini ${k}`, k === '[pgbouncer]' ? /pgbouncer\.ini/ : word(k));
        if (m.role === 'backrest-config') for (const t of Object.values(m.data)) for (const k of iniKeys(t)) add(`pgBackRest ${k}`, k === '[global]' ? /./ : word(k));
        if (m.role === 'schedule') {
            for (const [name, t] of Object.entries(m.data)) {
                add(`schedule ${name}`, word(`schedule ${name}`));
                if (obj(obj(JSON.parse(t)).pgbackrest).options) add(`schedule ${name} options`, word(`schedule ${name} options`));
            }
        }
    }
    const cluster = String(spec.clustername ?? spec.name);
    for (const s of c.secrets) {
        const user = new RegExp(`^${cluster}-(.+)-secret$`).exec(s)?.[1];
        if (user && !V4_USERS.includes(user)) add(`user ${user}`, word(`${s}`));
    }
    return items;
}
