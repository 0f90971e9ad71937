import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';

/** The kubeconfig of a stand-in server on loopback (context "x", TLS not verified), loaded as the plugin loads one. */
export function insecureKubeconfig(server: string): ReturnType<typeof loadKubeconfig> {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stand-in-')), 'config');
    fs.writeFileSync(
        file,
        JSON.stringify({
            apiVersion: 'v1',
            kind: 'Config',
            clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
            users: [{ name: 'u', user: { token: 't' } }],
            contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
            'current-context': 'x',
        }),
    );
    return loadKubeconfig({ kubeconfig: file, env: {} });
}
