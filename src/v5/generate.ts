import { ExitCode, UsageError, UserError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import { orAbsent } from '../kube/errors.js';
import { paths } from '../kube/paths.js';
import type { Finding, Inspection } from '../v4/inspection.js';
import type { V5Cluster } from './cluster.js';
import type { TargetChoice } from '../targets/choice.js';
import { readSource, type Source } from '../v4/source.js';
import { recordName } from '../v4/record.js';
import { carry, type CarryItem } from './carry.js';
import { v4Tls } from './carry-tls.js';
import { parametersAt } from './crd-fields.js';
import { backupsManifest, standbyManifest } from './backups-manifest.js';
import { cloudRepoKind, credentialsSecret, credentialsSecretName, defaultRepo, type RepoKind } from './repository.js';
import { backupsVerdict, logicalVerdict, standbyVerdict, volumesVerdict } from './generate-checks.js';
import { logicalManifest, SOURCE_ANNOTATION, volumesManifest } from './manifest.js';
import { logicalName } from '../targets/names.js';

export type Method = 'volumes' | 'backups' | 'standby' | 'logical';

/** Without --method: the logical move for a target that cannot run v4's data (IVYO), else the data volumes. */
export const defaultMethod = (flavor: TargetChoice['flavor']): Method => (flavor.runsVanillaData ? 'volumes' : 'logical');

export interface GenerateInput {
    namespace: string;
    cluster: string;
    target: TargetChoice;
    v4Served: boolean;
    method?: Method;
    name?: string;
    image?: string;
    pgbackrestImage?: string;
    postgresVersion?: number;
    /** backups: `--repo`; default: the v4 repo PVC if there is one, else its cloud repository. */
    repo?: RepoKind;
    restoreType?: string;
    restoreTarget?: string;
    /** false: --no-carry, the minimal manifest. */
    carry?: boolean;
    /** `--replication-tls-secret`: carries v4's certificate with this replication client certificate. */
    replicationTLSSecret?: string;
}

/** Several refusals in one exit 3: each on its own line, so none is hidden behind the first. */
export class RefusedError extends UserError {
    constructor(
        what: string,
        readonly findings: Finding[],
    ) {
        super(`${what} refused:\n${findings.map((f) => `  ${f.code}: ${f.message}`).join('\n')}`, ExitCode.Refused);
    }
}

export interface Generated {
    manifest: V5Cluster;
    warnings: Finding[];
    v4Live: boolean;
    /** For a cloud repository: the credentials Secret the manifest names, and the v4 Secret its values come from (null: none found). */
    credentials: { name: string; repo: 's3' | 'gcs'; from: string | null } | null;
    /** What became of v4's configuration (null: --no-carry). */
    carried: CarryItem[] | null;
}

/** Reads the v4 cluster (live or recorded), checks the traps of the method, builds the manifest and carries v4's configuration into it. */
export async function generateManifest(client: KubeClient, g: GenerateInput): Promise<Generated> {
    const method = g.method ?? defaultMethod(g.target.flavor);
    // Beside a running v4 cluster (logical, standby), the v5 cluster takes another name.
    const v5Name = g.name ?? (method === 'logical' || method === 'standby' ? logicalName(g.cluster) : g.cluster);
    if (g.replicationTLSSecret !== undefined && g.carry === false) throw new UsageError("--replication-tls-secret carries v4's certificate: it does not go with --no-carry");
    const source = await readSource(client, g.namespace, g.cluster, g.target, v5Name, g.v4Served, g.carry !== false);
    const generated = fromSource(g, method, v5Name, source);
    await refuseForeignCluster(client, g, method, v5Name);
    if (g.carry === false) return { ...generated, carried: null };
    if (!source.capture) {
        const why = `the record ConfigMap ${recordName(g.cluster)} was made by an earlier version, after v4's delete took its configuration: set what v4 was configured with yourself`;
        return { ...generated, carried: [{ outcome: 'action', from: "v4's configuration", why }] };
    }
    if (g.replicationTLSSecret !== undefined && !v4Tls(source.capture)) {
        throw new UsageError(
            `v4 cluster ${g.cluster} in namespace ${g.namespace} has no TLS (spec.tls tlsSecret and caSecret): --replication-tls-secret has no certificate to go with; leave it out`,
        );
    }
    const { manifest, report } = carry(generated.manifest, source.capture, g.target.flavor, {
        physical: method !== 'logical',
        standby: method === 'standby',
        replicationTLSSecret: g.replicationTLSSecret,
        parametersAt: await parametersAt(client, g.target.flavor),
    });
    return { ...generated, manifest, carried: report };
}

/** A v5 cluster of that name that this tool did not make from this v4 cluster: apply would never take it over, so generate says so first. */
async function refuseForeignCluster(client: KubeClient, g: GenerateInput, method: Method, name: string): Promise<void> {
    const f = g.target.flavor;
    if (!g.target.installed) return;
    const existing = await orAbsent(client.get<V5Cluster>(paths.v5Cluster(f, g.namespace, name)));
    const source = existing?.metadata.annotations?.[SOURCE_ANNOTATION];
    if (!existing || source === g.cluster) return;
    throw new RefusedError(`generate ${g.cluster} --method ${method}`, [
        {
            code: 'name-collision',
            message: `${f.kind} ${name} already exists in namespace ${g.namespace} and was not made by this tool from v4 cluster ${g.cluster} (annotation ${SOURCE_ANNOTATION}: ${source ?? 'none'}): pass --name for another v5 name, or remove that cluster yourself`,
        },
    ]);
}

function fromSource(g: GenerateInput, method: Method, v5Name: string, { inspection, live }: Source): Omit<Generated, 'carried'> {
    const request = { flavor: g.target.flavor, image: g.image, pgbackrestImage: g.pgbackrestImage, postgresVersion: g.postgresVersion, v4Live: live };
    const base = { flavor: g.target.flavor, name: v5Name, namespace: g.namespace, image: g.image, pgbackrestImage: g.pgbackrestImage };
    if (method === 'logical') {
        const verdict = logicalVerdict(inspection, { ...request, name: v5Name });
        if (verdict.refusals.length > 0 || verdict.postgresVersion === null) throw new RefusedError(`generate ${g.cluster} --method logical`, verdict.refusals);
        return { manifest: logicalManifest(inspection, { ...base, postgresVersion: verdict.postgresVersion }), warnings: verdict.warnings, v4Live: live, credentials: null };
    }
    if (method === 'volumes') {
        const verdict = volumesVerdict(inspection, request);
        if (verdict.refusals.length > 0 || verdict.postgresVersion === null) throw new RefusedError(`generate ${g.cluster} --method volumes`, verdict.refusals);
        const cloud = inspection.repository.types.includes('posix') ? null : cloudRepoKind(inspection);
        return {
            manifest: volumesManifest(inspection, { ...base, postgresVersion: verdict.postgresVersion }),
            warnings: verdict.warnings,
            v4Live: live,
            credentials: cloud ? credentialsOf(inspection, v5Name, cloud) : null,
        };
    }
    if (method === 'standby') {
        const verdict = standbyVerdict(inspection, { ...request, name: v5Name });
        if (verdict.refusals.length > 0 || verdict.postgresVersion === null || !verdict.repo) throw new RefusedError(`generate ${g.cluster} --method standby`, verdict.refusals);
        return {
            manifest: standbyManifest(inspection, { ...base, postgresVersion: verdict.postgresVersion, repo: verdict.repo }),
            warnings: verdict.warnings,
            v4Live: live,
            credentials: credentialsOf(inspection, v5Name, verdict.repo),
        };
    }
    const repo = g.repo ?? defaultRepo(inspection);
    if (!repo) throw new RefusedError(`generate ${g.cluster} --method backups`, inspection.methods.backups.blockers);
    const verdict = backupsVerdict(inspection, { ...request, repo, restoreType: g.restoreType, restoreTarget: g.restoreTarget });
    if (verdict.refusals.length > 0 || verdict.postgresVersion === null) throw new RefusedError(`generate ${g.cluster} --method backups`, verdict.refusals);
    return {
        manifest: backupsManifest(inspection, { ...base, postgresVersion: verdict.postgresVersion, repo, restoreOptions: verdict.restoreOptions }),
        warnings: verdict.warnings,
        v4Live: live,
        credentials: repo === 'posix' ? null : credentialsOf(inspection, v5Name, repo),
    };
}

/** The credentials Secret a cloud repo1 names, and the v4 Secret apply makes it from (null when v4 had none). */
function credentialsOf(i: Inspection, v5Name: string, repo: 's3' | 'gcs'): Generated['credentials'] {
    return { name: credentialsSecretName(v5Name), repo, from: i.repository.configSecret };
}

/**
 * `generate --include-secrets`: the credentials Secret a cloud repo1 names, made from v4's repo config Secret.
 * Read only by the name v4 gave it, never an empty or guessed one: without it, refused.
 */
export async function credentialsForOutput(
    client: KubeClient,
    namespace: string,
    cluster: string,
    credentials: NonNullable<Generated['credentials']>,
): Promise<Record<string, unknown>> {
    if (!credentials.from) {
        throw new RefusedError(`generate ${cluster} --include-secrets`, [
            {
                code: 'repo-credentials-missing',
                message: `v4 cluster ${cluster} has no repo config Secret (${cluster}-backrest-repo-config) in namespace ${namespace}: create Secret ${credentials.name} with your ${credentials.repo.toUpperCase()} credentials yourself (key ${credentials.repo}.conf), then drop --include-secrets`,
            },
        ]);
    }
    const v4 = await client.get<{ data?: Record<string, string> }>(paths.secret(namespace, credentials.from));
    return credentialsSecret(credentials.name, namespace, credentials.repo, v4.data ?? {});
}
