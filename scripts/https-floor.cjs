// The least a Node program can do for `kubectl get pvc -n bench -l pg-cluster=hippo -o json`, for scale in
// scripts/bench-kube.ts: read the test control plane's kubeconfig (JSON), send one HTTPS GET, print the answer.
const fs = require('node:fs');
const https = require('node:https');

const config = JSON.parse(fs.readFileSync(process.env.KUBECONFIG, 'utf8'));
const cluster = config.clusters[0].cluster;
const url = new URL(`${cluster.server}/api/v1/namespaces/bench/persistentvolumeclaims?labelSelector=pg-cluster%3Dhippo`);
const headers = { Authorization: `Bearer ${config.users[0].user.token}`, Accept: 'application/json' };
https.get(url, { ca: fs.readFileSync(cluster['certificate-authority']), headers }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => (body += chunk));
    res.on('end', () => process.stdout.write(`${JSON.stringify(JSON.parse(body), null, 2)}\n`));
});
