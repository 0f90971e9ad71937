/**
 * The demo: starts the local control plane in .demo/, creates the PGO v4 cluster `hippo` as a v4 operator
 * leaves it after a failover (primary deployment hippo-jgut, the original hippo now a replica, WAL volumes,
 * a pgBackRest repo PVC) in namespace pgo, walks the whole PGO road on it (scripts/demo-walk.ts), creates a
 * second, untouched copy in namespace pgo-again to try the commands by hand, and says how to use and stop it.
 *
 *   npm run demo          (builds the plugin first)
 *   npm run demo:stop
 */
import fs from 'node:fs';
import path from 'node:path';
import { KubeClient } from '../src/kube/client.js';
import { loadKubeconfig } from '../src/kube/kubeconfig.js';
import { SCENARIOS } from '../test/fixtures/v4/cluster.js';
import { repoRoot } from './repo-root.js';
import { DEMO_IMAGES, walkThrough } from './demo-walk.js';
import { createNamespace, createObjects } from './seed.js';
import { startCluster, stopCluster } from './test-cluster.js';

const root = repoRoot();
const dir = path.join(root, '.demo');
const namespace = 'pgo';
const spare = 'pgo-again';

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
    for (const ns of [namespace, spare]) {
        await createNamespace(client, ns);
        await createObjects(client, SCENARIOS.failover(ns));
    }
    console.error(`Created the v4 cluster hippo, as after a failover, in namespaces ${namespace} and ${spare}.`);
    const plugin = path.join(root, 'dist/kubectl-ivyo_upgrade');
    const codes = await walkThrough({ kubeconfig: cluster.kubeconfig, namespace, plugin, workDir: dir, print: (t) => process.stderr.write(t) });
    console.error(`
The demo cluster keeps running, with an untouched copy of hippo in namespace ${spare} to try the steps yourself
(no operator runs there: prepare and apply wait, then stop after --timeout and say what was done). To use it:
  export KUBECONFIG=${cluster.kubeconfig}
  export PATH=${path.dirname(plugin)}:$PATH
  kubectl get pgclusters,deployments,pvc -n ${spare}
  kubectl ivyo-upgrade inspect hippo -n ${spare} --target pgo
  kubectl ivyo-upgrade prepare hippo -n ${spare} --method volumes --target pgo --dry-run
  kubectl ivyo-upgrade generate hippo -n ${spare} --target pgo --image ${DEMO_IMAGES.image} --pgbackrest-image ${DEMO_IMAGES.pgbackrestImage}
Stop it with: npm run demo:stop`);
    process.exitCode = codes.every((c) => c === 0) && codes.length === 6 ? 0 : 1;
}
