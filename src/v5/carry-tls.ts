import type { Flavor } from '../targets/flavors.js';
import { isObject, type V4Capture } from '../v4/capture.js';
import { text, type CarryItem, type CarryOptions } from './carry-common.js';
import type { V5Cluster } from './cluster.js';

/**
 * The Secrets apply builds from v4's TLS Secrets, and the annotations that say from which: `<keypair>,<ca>`.
 * v5 reads `tls.crt`, `tls.key` and `ca.crt` from one Secret (PGO v5.8.9 postgrescluster_types.go customTLSSecret;
 * internal/pgbouncer/certificates.go); v4 keeps the key pair in one Secret and the CA in another (v4.7.9
 * pkg/apis/crunchydata.com/v1/cluster.go TLSSpec, PgBouncerSpec.TLSSecret).
 */
export const TLS_BUILDS = [
    { annotation: 'ivyo-upgrade.ivorysql.org/v4-tls', secretName: (cluster: string) => `${cluster}-v4-tls`, field: 'spec.customTLSSecret' },
    { annotation: 'ivyo-upgrade.ivorysql.org/v4-pgbouncer-tls', secretName: (cluster: string) => `${cluster}-v4-pgbouncer-tls`, field: 'spec.proxy.pgBouncer.customTLSSecret' },
] as const;

/** v4's TLS as `{ keyPair, ca }` Secret names, when it has both. */
export function v4Tls(c: V4Capture): { keyPair: string; ca: string; replication?: string; tlsOnly: boolean } | undefined {
    const tls = isObject(c.pgcluster.spec.tls) ? c.pgcluster.spec.tls : {};
    const keyPair = text(tls.tlsSecret);
    const ca = text(tls.caSecret);
    return keyPair && ca ? { keyPair, ca, replication: text(tls.replicationTLSSecret), tlsOnly: c.pgcluster.spec.tlsOnly === true } : undefined;
}

/**
 * v4's server certificate → `spec.customTLSSecret`, which apply builds from v4's key pair and CA. v5 takes it only
 * with `spec.customReplicationTLSSecret`, a client certificate for its replication user signed by the same CA
 * ("If CustomTLSSecret is provided, CustomReplicationClientTLSSecret MUST be provided and the ca.crt provided must
 * be the same", PGO v5.8.9 postgrescluster_types.go); v4's has the CN `primaryuser` (v4.7.9 docs/content/tutorial/tls.md), and v4 holds the CA's
 * certificate, not its key, so the user issues it (`--replication-tls-secret`). pgBouncer's certificate has no such
 * companion. `tlsOnly`: v5's own pg_hba admits TLS connections only (internal/postgres/hba.go, `hostssl`).
 */
export function carryTls(c: V4Capture, out: V5Cluster, flavor: Flavor, o: CarryOptions, report: CarryItem[]): void {
    const tls = v4Tls(c);
    const s = (out.spec ??= {});
    const annotate = (i: 0 | 1, value: string) => {
        out.metadata.annotations = { ...out.metadata.annotations, [TLS_BUILDS[i].annotation]: value };
        return { name: TLS_BUILDS[i].secretName(out.metadata.name) };
    };
    if (tls && o.replicationTLSSecret) {
        s.customTLSSecret = annotate(0, `${tls.keyPair},${tls.ca}`);
        s.customReplicationTLSSecret = { name: o.replicationTLSSecret };
        report.push({
            outcome: 'translated',
            from: `spec.tls ${tls.keyPair}, CA ${tls.ca}`,
            to: `spec.customTLSSecret ${s.customTLSSecret.name} (apply builds it from them, in the cluster)`,
        });
        report.push({ outcome: 'carried', from: `--replication-tls-secret ${o.replicationTLSSecret}`, to: 'spec.customReplicationTLSSecret' });
    } else if (tls) {
        report.push({
            outcome: 'action',
            from: `spec.tls ${tls.keyPair}, CA ${tls.ca}`,
            to: 'spec.customTLSSecret, spec.customReplicationTLSSecret',
            why: `v5 takes v4's certificate only with a client certificate for its replication user ${flavor.replicationUser} signed by the same CA, which v4 does not hold the key to sign: issue one, put tls.crt, tls.key and ca.crt in a Secret, and generate again with --replication-tls-secret NAME; until then v5 serves certificates of its own CA, which clients that verify v4's CA refuse`,
        });
    }
    if (tls?.replication) {
        report.push({
            outcome: 'dropped',
            from: `spec.tls.replicationTLSSecret ${tls.replication}`,
            why: `its certificate is for v4's replication user primaryuser; v5 replicates as ${flavor.replicationUser}`,
        });
    }
    if (tls?.tlsOnly) report.push({ outcome: 'translated', from: 'spec.tlsOnly', to: "v5's own pg_hba, which admits TLS connections only (hostssl)" });
    const bouncer = isObject(c.pgcluster.spec.pgBouncer) ? text(c.pgcluster.spec.pgBouncer.tlsSecret) : undefined;
    if (!bouncer) return;
    if (tls && s.proxy?.pgBouncer) {
        s.proxy.pgBouncer.customTLSSecret = annotate(1, `${bouncer},${tls.ca}`);
        report.push({
            outcome: 'translated',
            from: `spec.pgBouncer.tlsSecret ${bouncer}, CA ${tls.ca}`,
            to: `spec.proxy.pgBouncer.customTLSSecret ${s.proxy.pgBouncer.customTLSSecret.name} (apply builds it from them, in the cluster)`,
        });
    } else {
        report.push({
            outcome: 'action',
            from: `spec.pgBouncer.tlsSecret ${bouncer}`,
            to: 'spec.proxy.pgBouncer.customTLSSecret',
            why: 'v4 names no CA (spec.tls.caSecret) to go with it: put tls.crt, tls.key and ca.crt in a Secret and name it there',
        });
    }
}

/**
 * The Secret v5 reads a custom certificate from, made of v4's key pair (`tls.crt`, `tls.key`, a kubernetes.io/tls
 * Secret) and its CA (`ca.crt`); values stay base64 and are never printed. Or the keys that are missing.
 */
export function tlsSecret(name: string, keyPair: Record<string, string>, ca: Record<string, string>): { secret: Record<string, unknown> } | { missing: string[] } {
    const data = { 'tls.crt': keyPair['tls.crt'], 'tls.key': keyPair['tls.key'], 'ca.crt': ca['ca.crt'] };
    const missing = Object.entries(data)
        .filter(([, v]) => !v)
        .map(([k]) => k);
    if (missing.length > 0) return { missing };
    return { secret: { apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'Opaque', data } };
}

/** The Secrets a manifest asks apply to build from v4's (its annotations), each `{ to, keyPair, ca }`. */
export function tlsBuilds(manifest: V5Cluster): { to: string; keyPair: string; ca: string }[] {
    const named = [manifest.spec?.customTLSSecret?.name, manifest.spec?.proxy?.pgBouncer?.customTLSSecret?.name];
    return TLS_BUILDS.flatMap((b, i) => {
        const [keyPair, ca] = (manifest.metadata.annotations?.[b.annotation] ?? '').split(',');
        const to = b.secretName(manifest.metadata.name);
        return keyPair && ca && named[i] === to ? [{ to, keyPair, ca }] : [];
    });
}
