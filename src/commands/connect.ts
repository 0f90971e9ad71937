import type { Io } from '../io.js';
import { KubeClient, USER_AGENT } from '../kube/client.js';
import { loadKubeconfig } from '../kube/kubeconfig.js';
import type { GlobalArgs } from './global.js';

// Its own module, loaded by a command's handler when it runs: the kubeconfig reader and the client (client-node's
// KubeConfig and everything it requires) are not loaded for --help, --version or a usage error.

export interface Connection {
    client: KubeClient;
    namespace: string;
    contextName: string;
}

export function connect(args: GlobalArgs, io: Io): Connection {
    const timeout = args.requestTimeout;
    const cfg = loadKubeconfig({ kubeconfig: args.kubeconfig, context: args.context, namespace: args.namespace, env: io.env });
    return { client: new KubeClient(cfg.kc, cfg.server, timeout, cfg.contextName, { userAgent: USER_AGENT }), namespace: cfg.namespace, contextName: cfg.contextName };
}
