/**
 * Names a v5 cluster called `c` creates in its namespace, by kind (docs/upstream-facts.md "v5 volumes"; IVYO and PGO
 * `internal/naming/names.go`): an existing object of the same kind and name collides with it.
 */
export function v5ObjectNames(c: string): Record<string, string[]> {
    return {
        ConfigMap: [`${c}-config`, `${c}-pgbackrest-config`, `${c}-pgbouncer`],
        Service: [`${c}-ha`, `${c}-ha-config`, `${c}-primary`, `${c}-replicas`, `${c}-pods`, `${c}-pgbouncer`],
        Deployment: [`${c}-pgbouncer`],
        Secret: [`${c}-pgbouncer`, `${c}-pgbackrest`, `${c}-cluster-cert`, `${c}-replication-cert`, `${c}-monitoring`],
    };
}

/**
 * Whether a PostgreSQL role can be a `spec.users` entry: both CRDs allow only lowercase letters, digits and `-`
 * (`users[].name` pattern `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`, at most 63), so that it fits into a Secret's name.
 */
export const isV5UserName = (user: string) => user.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(user);

/** The default name of the fresh v5 cluster a logical move fills while v4 runs beside it. */
export const logicalName = (v4Cluster: string) => `${v4Cluster}-v5`;
