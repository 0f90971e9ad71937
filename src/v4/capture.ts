import type { KubeClient } from '../kube/client.js';
import { orAbsent } from '../kube/errors.js';
import { paths } from '../kube/paths.js';
import type { KubeObject, Pgcluster, Pgreplica } from '../kube/types.js';
import { V4 } from './names.js';

/**
 * A v4 cluster's configuration, captured by `prepare` before it deletes anything. v4's own delete removes
 * `<c>-pgha-config`, the live Patroni configuration `<c>-config`, the pgBouncer ConfigMap `<c>-pgbouncer-cm`
 * and every backup schedule even when data and backups are kept (CrunchyData/postgres-operator
 * cmd/pgo-rmdata/process.go, removeClusterConfigmaps and removeSchedules, v4.7.9 at 7f01f120): without this
 * capture that configuration is gone for good. ConfigMaps are kept whole; Secrets by name only (no value is read).
 */
export interface V4Capture {
    capturedAt: string;
    /** The pgcluster's spec as v4 holds it (it names Secrets, never holds their values), its labels and annotations. */
    pgcluster: { labels: Record<string, string>; annotations: Record<string, string>; spec: Record<string, unknown> };
    /** Per-replica placement and storage (`pgreplicas`, v4 `pkg/apis/crunchydata.com/v1/replica.go`). */
    pgreplicas: { name: string; spec: Record<string, unknown> }[];
    configMaps: CapturedConfigMap[];
    /** Names of the cluster's Secrets (labelled pg-cluster, or named by the spec: TLS, pgBackRest projections). */
    secrets: string[];
}

/**
 * Where each ConfigMap comes from (v4.7.9):
 * - `patroni-dcs`: `<c>-config`, the live Patroni DCS in annotation `config` (internal/operator/config/dcs.go);
 * - `pgha-config`: `<c>-pgha-config`, keys `<c>-dcs-config` and `<member>-local-config` (dcs.go, localdb.go);
 * - `custom-config`: the ConfigMap `spec.customconfig` names (`postgres-ha.yaml`, `setup.sql`);
 * - `pgbouncer`: `<c>-pgbouncer-cm`, pgbouncer.ini (internal/util/pgbouncer.go);
 * - `backrest-config`: `<c>-config-backrest` and the ConfigMaps of `spec.backrestConfig` (internal/operator/pgbackrest.go);
 * - `schedule`: labelled `crunchy-scheduler=true,pg-cluster=<c>` (cmd/pgo-scheduler/scheduler/types.go).
 */
export type ConfigRole = 'patroni-dcs' | 'pgha-config' | 'custom-config' | 'pgbouncer' | 'backrest-config' | 'schedule';
export interface CapturedConfigMap {
    role: ConfigRole;
    name: string;
    data: Record<string, string>;
    /** Only the DCS annotation `config` of `<c>-config`; none of the others. */
    annotations: Record<string, string>;
}

type ConfigMap = KubeObject & { data?: Record<string, string> };

export const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

const names = (xs: unknown[]) => xs.filter((x): x is string => typeof x === 'string' && x !== '');

/** The ConfigMaps and Secrets a pgcluster's `backrestConfig` projects into /etc/pgbackrest/conf.d (v4.7.9 internal/operator/pgbackrest.go). */
export function backrestProjections(spec: Record<string, unknown>): { configMaps: string[]; secrets: string[] } {
    const projections = Array.isArray(spec.backrestConfig) ? spec.backrestConfig.filter(isObject) : [];
    const nameOf = (source: unknown) => (isObject(source) ? source.name : undefined);
    return { configMaps: names(projections.map((p) => nameOf(p.configMap))), secrets: names(projections.map((p) => nameOf(p.secret))) };
}

/** The names a pgcluster's spec gives to its TLS Secrets and its pgBackRest projections. */
function specNames(spec: Record<string, unknown>): { configMaps: string[]; secrets: string[] } {
    const tls = isObject(spec.tls) ? spec.tls : {};
    const projected = backrestProjections(spec);
    return { configMaps: projected.configMaps, secrets: [...names([tls.tlsSecret, tls.caSecret, tls.replicationTLSSecret]), ...projected.secrets] };
}

/** Of `<c>-config`, the annotation `config` (the live DCS); nothing of the others. */
function dcsAnnotation(role: ConfigRole, cm: ConfigMap): Record<string, string> {
    const config = cm.metadata.annotations?.config;
    return role === 'patroni-dcs' && config !== undefined ? { config } : {};
}

/** Reads what the capture holds, from the live objects; the pgcluster and its pgreplicas are read already. */
export async function readCapture(client: KubeClient, pgcluster: Pgcluster, pgreplicas: Pgreplica[]): Promise<V4Capture> {
    const c = pgcluster.metadata.name;
    const ns = pgcluster.metadata.namespace ?? '';
    const spec: Record<string, unknown> = { ...pgcluster.spec };
    const named = specNames(spec);
    const get = (name: string) => orAbsent(client.get<ConfigMap>(paths.configMap(ns, name)));
    const entry = (role: ConfigRole, name: string): [ConfigRole, string] => [role, name];
    const wanted = [
        entry('patroni-dcs', `${c}-config`),
        entry('pgha-config', `${c}-pgha-config`),
        ...(typeof spec.customconfig === 'string' && spec.customconfig ? [entry('custom-config', spec.customconfig)] : []),
        entry('pgbouncer', `${c}-pgbouncer-cm`),
        entry('backrest-config', `${c}-config-backrest`),
        ...named.configMaps.map((n) => entry('backrest-config', n)),
    ];
    const [found, schedules, secrets, backrestSecret] = await Promise.all([
        Promise.all(wanted.map(async ([role, name]) => ({ role, cm: await get(name) }))),
        client.list<ConfigMap>(paths.configMap(ns), { labelSelector: `crunchy-scheduler=true,${V4.label.cluster}=${c}` }),
        client.list<KubeObject>(paths.secret(ns), { labelSelector: `${V4.label.cluster}=${c}`, metadataOnly: true }),
        // The Secret `<c>-config-backrest` (the user's, unlabelled): its name only, by the list verb the others need.
        client.list<KubeObject>(paths.secret(ns), { fieldSelector: `metadata.name=${c}-config-backrest`, metadataOnly: true }),
    ]);
    const configMaps = [...found.flatMap(({ role, cm }) => (cm ? [{ role, cm }] : [])), ...schedules.map((cm) => ({ role: 'schedule' as const, cm }))];
    return {
        capturedAt: new Date().toISOString(),
        pgcluster: { labels: pgcluster.metadata.labels ?? {}, annotations: pgcluster.metadata.annotations ?? {}, spec },
        pgreplicas: pgreplicas
            .filter((r) => r.metadata.namespace === ns && r.metadata.labels?.[V4.label.cluster] === c)
            .map((r) => ({ name: r.metadata.name, spec: r.spec ?? {} })),
        configMaps: configMaps.map(({ role, cm }) => ({
            role,
            name: cm.metadata.name,
            data: cm.data ?? {},
            annotations: dcsAnnotation(role, cm),
        })),
        secrets: [...new Set([...secrets.map((s) => s.metadata.name), ...named.secrets, ...backrestSecret.map((s) => s.metadata.name)])].sort(),
    };
}
