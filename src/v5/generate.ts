import { ExitCode, UserError } from '../errors.js';
import type { KubeClient } from '../kube/client.js';
import type { Finding } from '../v4/inspection.js';
import type { TargetChoice } from '../v4/model.js';
import { readSource } from '../v4/source.js';
import { volumesVerdict } from './generate-checks.js';
import { volumesManifest } from './manifest.js';

export interface GenerateInput {
    namespace: string;
    cluster: string;
    target: TargetChoice;
    v4Served: boolean;
    name?: string;
    image?: string;
    pgbackrestImage?: string;
    postgresVersion?: number;
}

/** Several refusals in one exit 3: each on its own line, so none is hidden behind the first. */
export class RefusedError extends UserError {
    constructor(what: string, readonly findings: Finding[]) {
        super(`${what} refused:\n${findings.map((f) => `  ${f.code}: ${f.message}`).join('\n')}`, ExitCode.Refused);
    }
}

/** Reads the v4 cluster (live or recorded), checks the traps, and builds the method-1 manifest. */
export async function generateVolumes(client: KubeClient, g: GenerateInput): Promise<{ manifest: Record<string, unknown>; warnings: Finding[]; v4Live: boolean }> {
    const v5Name = g.name ?? g.cluster;
    const { inspection, live } = await readSource(client, g.namespace, g.cluster, g.target, v5Name, g.v4Served);
    const verdict = volumesVerdict(inspection, {
        flavor: g.target.flavor,
        image: g.image,
        pgbackrestImage: g.pgbackrestImage,
        postgresVersion: g.postgresVersion,
        v4Live: live,
    });
    if (verdict.refusals.length > 0 || verdict.postgresVersion === null) {
        throw new RefusedError(`generate ${g.cluster} --method volumes`, verdict.refusals);
    }
    const manifest = volumesManifest(inspection, {
        flavor: g.target.flavor,
        name: v5Name,
        namespace: g.namespace,
        postgresVersion: verdict.postgresVersion,
        image: g.image,
        pgbackrestImage: g.pgbackrestImage,
    });
    return { manifest, warnings: verdict.warnings, v4Live: live };
}
