import { UserError } from '../errors.js';
import type { KubeClient } from './client.js';
import { ApiError } from './errors.js';
import { V4_GROUP, V4_VERSION } from './paths.js';
import { FLAVORS, type Flavor, type FlavorName } from '../targets/flavors.js';

/** Which of the APIs this tool works with the server serves. */
export interface ServedApis {
    /** PGO v4: `pgclusters.crunchydata.com/v1`. */
    v4: boolean;
    /** v5 cluster kinds, by flavor. */
    v5: Record<FlavorName, boolean>;
}

interface ResourceList {
    resources?: { name: string }[];
}

/**
 * Discovery of what this tool works with: each group version's resource list, read directly (three requests at
 * once), a 404 meaning not served. Reading `/apis` first would add a round trip and the whole group list, and
 * still not settle it: a group just removed may be listed there a moment longer while its version answers 404.
 * Every authenticated user may read discovery (system:discovery), so this works for restricted users too.
 */
export async function discover(client: KubeClient): Promise<ServedApis> {
    const serves = async (group: string, version: string, plural: string): Promise<boolean> => {
        const list = await client.get<ResourceList>(`/apis/${group}/${version}`).catch((e: unknown) => {
            if (e instanceof ApiError && e.status === 404) return null;
            throw e;
        });
        return (list?.resources ?? []).some((r) => r.name === plural);
    };
    const [v4, ivyo, pgo] = await Promise.all([
        serves(V4_GROUP, V4_VERSION, 'pgclusters'),
        serves(FLAVORS.ivyo.group, FLAVORS.ivyo.version, FLAVORS.ivyo.plural),
        serves(FLAVORS.pgo.group, FLAVORS.pgo.version, FLAVORS.pgo.plural),
    ]);
    return { v4, v5: { ivyo, pgo } };
}

/** The one wording of "this v5 operator's CRD is not here", for every command that needs its clusters. */
export function v5NotServed(flavor: Flavor, contextName: string): UserError {
    return new UserError(
        `the server does not serve ${flavor.plural}.${flavor.group}/${flavor.version}: ${flavor.product} is not installed, or context "${contextName}" points at another cluster`,
    );
}

/** The one wording of "the PGO v4 CRDs are not here", for every command. */
export function v4NotServed(contextName: string): UserError {
    return new UserError(`the server does not serve pgclusters.crunchydata.com/v1: the PGO v4 CRDs are not installed, or context "${contextName}" points at another cluster`);
}
