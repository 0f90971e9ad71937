import { dump } from 'js-yaml';
import { deniedPermissions, type Permission } from './kube/access.js';
import type { KubeClient } from './kube/client.js';
import { FLAVORS } from './targets/flavors.js';

export type { Permission };

/** One permission a command needs: the API group, the resource (subresource after a slash), the verbs. */

export const COMMAND_NAMES = ['inspect', 'generate', 'prepare', 'apply', 'promote', 'cutover', 'release-pvc'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

const v5Clusters = (verbs: string[]): Permission[] => Object.values(FLAVORS).map((f) => ({ group: f.group, resource: f.plural, verbs }));

const READ_V4: Permission[] = [
    { group: 'crunchydata.com', resource: 'pgclusters', verbs: ['get', 'list'] },
    { group: 'crunchydata.com', resource: 'pgreplicas', verbs: ['list'] },
    { group: 'apps', resource: 'deployments', verbs: ['list'] },
    { group: '', resource: 'pods', verbs: ['list'] },
    { group: '', resource: 'persistentvolumeclaims', verbs: ['list'] },
    { group: '', resource: 'secrets', verbs: ['list'] },
    { group: '', resource: 'configmaps', verbs: ['get', 'list'] },
    { group: '', resource: 'services', verbs: ['list'] },
    { group: '', resource: 'persistentvolumes', verbs: ['get', 'list'], clusterScoped: true },
];

/** The target CRD's schema: where it takes PostgreSQL parameters (without it, the field every v5 operator takes). */
const CRD_SCHEMA: Permission = { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', verbs: ['get'], clusterScoped: true };

/**
 * A command that waits for an operator reads what it waits on through watches (kube/watch.ts): an object it
 * gets, and a collection it lists, it lists and watches while it waits. Without those verbs it still works,
 * reading from the server every few seconds.
 */
const watching = (perms: Permission[]): Permission[] =>
    perms.map((p) =>
        p !== CRD_SCHEMA && !p.resource.includes('/') && (p.verbs.includes('get') || p.verbs.includes('list')) ? { ...p, verbs: [...new Set([...p.verbs, 'list', 'watch'])] } : p,
    );

/**
 * What each command reads and writes: the single source for `--help`, docs/rbac.yaml and
 * `inspect --check-permissions`. Discovery (`/apis`) needs no grant: every authenticated user has it.
 */
export const PERMISSIONS: Record<CommandName, Permission[]> = {
    inspect: READ_V4,
    generate: [...READ_V4, ...v5Clusters(['get', 'patch']), CRD_SCHEMA],
    prepare: watching([
        ...READ_V4,
        { group: 'crunchydata.com', resource: 'pgclusters', verbs: ['patch', 'delete'] },
        { group: 'crunchydata.com', resource: 'pgtasks', verbs: ['list', 'create', 'delete'] },
        { group: 'batch', resource: 'jobs', verbs: ['list', 'delete'] },
        { group: '', resource: 'pods/exec', verbs: ['create'] },
        { group: '', resource: 'configmaps', verbs: ['create', 'patch'] },
        { group: '', resource: 'persistentvolumeclaims', verbs: ['patch'] },
        { group: '', resource: 'persistentvolumes', verbs: ['patch'], clusterScoped: true },
        // logical: the preflight Job, its pod's termination message, the ConfigMap of its answer.
        { group: 'batch', resource: 'jobs', verbs: ['get', 'create'] },
        { group: '', resource: 'pods', verbs: ['list'] },
    ]),
    apply: watching([
        ...READ_V4,
        ...v5Clusters(['get', 'patch']),
        CRD_SCHEMA,
        { group: '', resource: 'secrets', verbs: ['get', 'create'] },
        { group: 'batch', resource: 'jobs', verbs: ['list'] },
        { group: '', resource: 'pods/log', verbs: ['get'] },
        // logical: the copy Job in the image the operator runs.
        { group: 'batch', resource: 'jobs', verbs: ['create'] },
        { group: 'apps', resource: 'statefulsets', verbs: ['list'] },
    ]),
    // method 3's cut-over: v4 shut down and marked, its Deployments and pods watched, the replay proven, the standby promoted.
    promote: watching([
        { group: 'crunchydata.com', resource: 'pgclusters', verbs: ['get', 'patch'] },
        { group: 'apps', resource: 'deployments', verbs: ['list'] },
        { group: '', resource: 'pods', verbs: ['list'] },
        // the replay proof: psql and pgbackrest info in the standby leader's pod.
        { group: '', resource: 'pods/exec', verbs: ['create'] },
        // v4's own pgBackRest configuration: archive-async would hide its spool from the proof.
        { group: '', resource: 'configmaps', verbs: ['get'] },
        ...v5Clusters(['get', 'patch']),
        { group: '', resource: 'secrets', verbs: ['list'] },
    ]),
    cutover: watching([
        { group: 'crunchydata.com', resource: 'pgclusters', verbs: ['get'] },
        ...v5Clusters(['get']),
        { group: '', resource: 'secrets', verbs: ['list'] },
        { group: '', resource: 'configmaps', verbs: ['get'] },
        { group: 'batch', resource: 'jobs', verbs: ['list', 'create'] },
        { group: 'apps', resource: 'statefulsets', verbs: ['list'] },
        // What the cut-over's Job reported: its pod's termination message.
        { group: '', resource: 'pods', verbs: ['list'] },
    ]),
    'release-pvc': [
        ...v5Clusters(['get', 'patch']),
        { group: '', resource: 'persistentvolumeclaims', verbs: ['get', 'list', 'patch'] },
        { group: '', resource: 'persistentvolumes', verbs: ['list', 'patch'], clusterScoped: true },
    ],
};

/** The permissions merged by group and resource, verbs sorted: rules as RBAC writes them. */
export function mergedRules(perms: Permission[]): Permission[] {
    const byKey = new Map<string, Permission>();
    for (const p of perms) {
        const key = `${p.group}/${p.resource}`;
        const seen = byKey.get(key);
        byKey.set(key, { ...p, verbs: [...new Set([...(seen?.verbs ?? []), ...p.verbs])].sort() });
    }
    return [...byKey.values()].sort((a, b) => a.group.localeCompare(b.group) || a.resource.localeCompare(b.resource));
}

const name = (p: Permission) => (p.group ? `${p.resource}.${p.group}` : p.resource);

/** The block each command's --help ends with (PGO's kubectl plugin prints the same kind of table). */
export function permissionsHelp(command: CommandName): string {
    const rules = mergedRules(PERMISSIONS[command]);
    const width = Math.max(...rules.map((r) => name(r).length));
    return [
        'RBAC requirements ("kubectl ivyo-upgrade inspect --print-rbac" prints the roles to bind; --check-permissions tells what you lack):',
        ...rules.map((r) => `  ${name(r).padEnd(width)}  [${r.verbs.join(' ')}]${r.clusterScoped ? '  cluster-wide' : ''}`),
    ].join('\n');
}

/**
 * docs/rbac.yaml: a ClusterRole with every namespaced rule (bind it with a RoleBinding in the namespaces to
 * upgrade, or a ClusterRoleBinding for -A), and one with the cluster-scoped rules (PersistentVolumes, the target CRD).
 */
export function rbacManifests(): Record<string, unknown>[] {
    const all = mergedRules(Object.values(PERMISSIONS).flat());
    const rule = (p: Permission) => ({ apiGroups: [p.group], resources: [p.resource], verbs: p.verbs });
    const role = (n: string, rules: Permission[]) => ({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: n, labels: { 'app.kubernetes.io/name': 'kubectl-ivyo-upgrade' } },
        rules: rules.map(rule),
    });
    return [
        role(
            'kubectl-ivyo-upgrade',
            all.filter((p) => !p.clusterScoped),
        ),
        role(
            'kubectl-ivyo-upgrade-volumes',
            all.filter((p) => p.clusterScoped),
        ),
    ];
}

/** The roles as `inspect --print-rbac` prints them and docs/rbac.yaml holds them: YAML documents, or a JSON List. */
export function rbacText(format: 'json' | 'yaml'): string {
    if (format === 'json') return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: rbacManifests() }, null, 2)}\n`;
    return (
        '# Generated from src/rbac.ts; do not edit by hand.\n' +
        '# Bind kubectl-ivyo-upgrade with a RoleBinding in each namespace to upgrade (a ClusterRoleBinding for -A),\n' +
        '# and kubectl-ivyo-upgrade-volumes with a ClusterRoleBinding (PersistentVolumes and CustomResourceDefinitions are cluster-scoped).\n' +
        rbacManifests()
            .map((m) => dump(m, { lineWidth: -1 }))
            .join('---\n')
    );
}

/**
 * `inspect --check-permissions`: every command's permissions asked of the server (SelfSubjectAccessReview) in
 * `namespace` (null: every namespace); one row per command that has all, one per permission it lacks.
 */
export async function permissionReport(client: KubeClient, namespace: string | null): Promise<{ command: CommandName; status: string; resource: string }[]> {
    const commands = COMMAND_NAMES;
    const denied = await Promise.all(commands.map((c) => deniedPermissions(client, namespace, mergedRules(PERMISSIONS[c]))));
    return commands.flatMap((command, i) => {
        const missing = denied[i] ?? [];
        if (missing.length === 0) return [{ command, status: 'ok', resource: '-' }];
        return missing.map((d) => ({
            command,
            status: `missing ${d.verb}`,
            resource: `${d.group ? `${d.resource}.${d.group}` : d.resource}${d.clusterScoped ? ' (cluster-wide)' : ''}`,
        }));
    });
}
