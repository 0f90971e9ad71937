import type { KubeClient } from './client.js';

/** A rule of a Role: a resource of an API group and the verbs on it. */
export interface Permission {
    group: string;
    resource: string;
    verbs: string[];
    /** PersistentVolumes are cluster-scoped; everything else is read and written in the cluster's namespace. */
    clusterScoped?: boolean;
}

export interface Denied {
    group: string;
    resource: string;
    verb: string;
    clusterScoped: boolean;
}

/**
 * Asks the server, with one SelfSubjectAccessReview per verb, which of these permissions the current user
 * lacks in `namespace` (null: in every namespace). Any authenticated user may ask this about itself.
 */
export async function deniedPermissions(client: KubeClient, namespace: string | null, perms: Permission[]): Promise<Denied[]> {
    const checks = perms.flatMap((p) => p.verbs.map((verb) => ({ p, verb })));
    const answers = await Promise.all(
        checks.map(async ({ p, verb }) => {
            const [resource, subresource] = p.resource.split('/');
            const review = await client.request<{ status?: { allowed?: boolean } }>('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
                body: {
                    apiVersion: 'authorization.k8s.io/v1',
                    kind: 'SelfSubjectAccessReview',
                    spec: {
                        resourceAttributes: {
                            group: p.group,
                            resource,
                            ...(subresource ? { subresource } : {}),
                            verb,
                            ...(p.clusterScoped || namespace === null ? {} : { namespace }),
                        },
                    },
                },
            });
            return review.status?.allowed === true ? null : { group: p.group, resource: p.resource, verb, clusterScoped: Boolean(p.clusterScoped) };
        }),
    );
    const denied = answers.filter((a): a is Denied => a !== null);
    return denied.filter((d, i) => denied.findIndex((x) => x.group === d.group && x.resource === d.resource && x.verb === d.verb) === i);
}
