import { UserError } from '../errors.js';
import type { KubeClient } from './client.js';
import { ApiError } from './errors.js';
import { V4_GROUP, V4_VERSION } from './paths.js';
import { FLAVORS, type FlavorName } from '../targets/flavors.js';

/** Which of the APIs this tool works with the server serves. */
export interface ServedApis {
    /** PGO v4: `pgclusters.crunchydata.com/v1`. */
    v4: boolean;
    /** v5 cluster kinds, by flavor. */
    v5: Record<FlavorName, boolean>;
}

interface GroupList {
    groups?: { name: string; versions?: { version: string }[] }[];
}
interface ResourceList {
    resources?: { name: string }[];
}

/**
 * Discovery as kubectl does it: `/apis` for the groups, then the group version for its resources. Every
 * authenticated user may read discovery (system:discovery), so this works for restricted users too.
 */
export async function discover(client: KubeClient): Promise<ServedApis> {
    const { groups = [] } = await client.get<GroupList>('/apis');
    const serves = async (group: string, version: string, plural: string): Promise<boolean> => {
        const g = groups.find((x) => x.name === group);
        if (!g?.versions?.some((v) => v.version === version)) return false;
        // A group just removed may still be listed in /apis for a moment while its version answers 404: not served.
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

/** The one wording of "the PGO v4 CRDs are not here", for every command. */
export function v4NotServed(contextName: string): UserError {
    return new UserError(`the server does not serve pgclusters.crunchydata.com/v1: the PGO v4 CRDs are not installed, or context "${contextName}" points at another cluster`);
}
