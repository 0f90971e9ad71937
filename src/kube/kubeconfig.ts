import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// client-node's parts, not its index, which re-exports every generated API client (half the start-up: docs/performance.md).
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import type { Cluster, Context, User } from '@kubernetes/client-node/dist/config_types.js';
import { UserError } from '../errors.js';

export interface KubeconfigOptions {
    /** `--kubeconfig`: used alone, never merged (kubectl's rule). */
    kubeconfig?: string;
    /** `--context`: overrides the current context. */
    context?: string;
    /** `-n/--namespace`: overrides the context's namespace. */
    namespace?: string;
    env: NodeJS.ProcessEnv;
    /** Home folder; a parameter so tests need not touch the real one. */
    home?: string;
}

export interface ResolvedConfig {
    kc: KubeConfig;
    contextName: string;
    namespace: string;
    server: string;
}

const IN_CLUSTER_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/**
 * Loads kubeconfig the way kubectl (client-go `clientcmd`) does, not the way client-node's
 * `loadFromDefault` does: an explicit file is used alone; a KUBECONFIG list skips missing files, and the
 * first file to name a cluster, user or context (or to set current-context) wins.
 */
export function loadKubeconfig(opts: KubeconfigOptions): ResolvedConfig {
    const kc = opts.kubeconfig ? loadExplicit(opts.kubeconfig) : loadDefault(opts.env, opts.home ?? os.homedir());
    const contextName = opts.context ?? kc.getCurrentContext();
    if (!contextName) {
        throw new UserError('the kubeconfig has no current context: pass --context NAME or run "kubectl config use-context NAME"');
    }
    const context = kc.getContextObject(contextName);
    if (!context) {
        throw new UserError(`context "${contextName}" not found in the kubeconfig: "kubectl config get-contexts" lists them`);
    }
    kc.setCurrentContext(contextName);
    const cluster = kc.getCluster(context.cluster);
    if (!cluster) {
        throw new UserError(`context "${contextName}" names cluster "${context.cluster}", which the kubeconfig does not define`);
    }
    return { kc, contextName, namespace: resolveNamespace(opts.namespace, context), server: cluster.server };
}

function resolveNamespace(flag: string | undefined, context: Context): string {
    if (flag) return flag;
    if (context.namespace) return context.namespace;
    if (context.name === 'inClusterContext' && fs.existsSync(IN_CLUSTER_NAMESPACE_FILE)) {
        return fs.readFileSync(IN_CLUSTER_NAMESPACE_FILE, 'utf8').trim() || 'default';
    }
    return 'default';
}

function loadExplicit(file: string): KubeConfig {
    if (!fs.existsSync(file)) {
        throw new UserError(`kubeconfig file "${file}" (--kubeconfig) does not exist`);
    }
    return parseFile(file);
}

function loadDefault(env: NodeJS.ProcessEnv, home: string): KubeConfig {
    const listed = (env.KUBECONFIG ?? '').split(path.delimiter).filter((f) => f !== '');
    const candidates = listed.length > 0 ? [...new Set(listed)] : [path.join(home, '.kube', 'config')];
    const present = candidates.filter((f) => fs.existsSync(f));
    if (present.length === 0) {
        if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) {
            const kc = new KubeConfig();
            kc.loadFromCluster();
            return kc;
        }
        const where = listed.length > 0 ? `KUBECONFIG (${listed.join(path.delimiter)}) names no existing file` : `${candidates[0]} does not exist`;
        throw new UserError(`no kubeconfig found: ${where}; pass --kubeconfig FILE or set KUBECONFIG`);
    }
    return mergeFirstWins(present.map(parseFile));
}

function parseFile(file: string): KubeConfig {
    const kc = new KubeConfig();
    try {
        kc.loadFromFile(file);
    } catch (e) {
        throw new UserError(`cannot read kubeconfig "${file}": ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
    }
    return kc;
}

/** client-go's merge: the first file to set a name (or current-context) wins; later ones never change it. */
export function mergeFirstWins(configs: KubeConfig[]): KubeConfig {
    const clusters = new Map<string, Cluster>();
    const users = new Map<string, User>();
    const contexts = new Map<string, Context>();
    let currentContext = '';
    for (const c of configs) {
        for (const x of c.getClusters()) if (!clusters.has(x.name)) clusters.set(x.name, x);
        for (const x of c.getUsers()) if (!users.has(x.name)) users.set(x.name, x);
        for (const x of c.getContexts()) if (!contexts.has(x.name)) contexts.set(x.name, x);
        if (!currentContext && c.getCurrentContext()) currentContext = c.getCurrentContext();
    }
    const merged = new KubeConfig();
    merged.loadFromOptions({
        clusters: [...clusters.values()],
        users: [...users.values()],
        contexts: [...contexts.values()],
        currentContext,
    });
    return merged;
}
