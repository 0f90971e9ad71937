/**
 * The demo: starts the local control plane in .demo/, creates the PGO v4 cluster `hippo` as a v4 operator
 * leaves it after a failover (primary deployment hippo-jgut, the original hippo now a replica, WAL volumes,
 * a pgBackRest repo PVC), runs `kubectl ivyo-upgrade inspect hippo` on it and says how to use and stop it.
 *
 *   npm run demo          (builds the plugin first)
 *   npm run demo:stop
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KubeClient } from '../src/kube/client.js';
import { loadKubeconfig } from '../src/kube/kubeconfig.js';
import { SCENARIOS } from '../test/fixtures/v4/cluster.js';
import { repoRoot } from './repo-root.js';
import { createNamespace, createObjects } from './seed.js';
import { startCluster, stopCluster } from './test-cluster.js';

const root = repoRoot();
const dir = path.join(root, '.demo');
const namespace = 'pgo';

if (process.argv[2] === 'stop') {
    await stopCluster(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    console.error('The demo cluster is stopped.');
} else {
    await stopCluster(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    console.error('Starting the demo control plane (etcd, kube-apiserver, kube-controller-manager) on 127.0.0.1 ...');
    const cluster = await startCluster(dir);
    const cfg = loadKubeconfig({ kubeconfig: cluster.kubeconfig, env: {} });
    const client = new KubeClient(cfg.kc, cfg.server, 30_000, cfg.contextName);
    await createNamespace(client, namespace);
    await createObjects(client, SCENARIOS.failover(namespace));
    console.error(`Created the v4 cluster hippo in namespace ${namespace}, as after a failover.\n`);
    const plugin = path.join(root, 'dist/kubectl-ivyo_upgrade');
    console.error(`$ kubectl ivyo-upgrade inspect hippo -n ${namespace}`);
    const r = spawnSync(plugin, ['inspect', 'hippo', '-n', namespace], { env: { ...process.env, KUBECONFIG: cluster.kubeconfig }, stdio: 'inherit' });
    console.error(`
The demo cluster keeps running. To use it:
  export KUBECONFIG=${cluster.kubeconfig}
  export PATH=${path.dirname(plugin)}:$PATH
  kubectl get pgclusters,deployments,pvc -n ${namespace}
  kubectl ivyo-upgrade inspect hippo -n ${namespace} -o json
Stop it with: npm run demo:stop`);
    process.exitCode = r.status ?? 1;
}
