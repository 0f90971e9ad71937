/**
 * The demo's walk along the whole PGO road for the v4 cluster `hippo`: inspect, prepare, generate, apply,
 * release-pvc, each printed as the exact command a user types, then run with the built plugin. Neither
 * operator can run here, so two SIMULATED operators (test code: test/e2e/simulators) stand in for them while
 * the steps that wait on an operator run, and their start and stop are labelled. `npm run demo` runs it; an
 * end-to-end test runs it too, so the transcript a newcomer sees is checked.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KubeClient } from '../src/kube/client.js';
import { loadKubeconfig } from '../src/kube/kubeconfig.js';
import { V4OperatorSimulator } from '../test/e2e/simulators/v4-operator.js';
import { V5OperatorSimulator } from '../test/e2e/simulators/v5-operator.js';

/** Example images for the demo's PostgreSQL 13 data: a v5-line PostgreSQL 13 image and pgBackRest of the same release. */
export const DEMO_IMAGES = {
    image: 'registry.developers.crunchydata.com/crunchydata/crunchy-postgres:ubi8-13.10-0',
    pgbackrestImage: 'registry.developers.crunchydata.com/crunchydata/crunchy-pgbackrest:ubi8-2.41-4',
};

export interface Walk {
    kubeconfig: string;
    namespace: string;
    /** The built plugin, run as `kubectl ivyo-upgrade` runs it. */
    plugin: string;
    /** Where the generated manifest goes. */
    workDir: string;
    print: (text: string) => void;
}

interface Simulator {
    stop(): Promise<void>;
    errors: unknown[];
}

/** Runs every step, stopping at the first that fails; returns the exit codes, in order. */
export async function walkThrough(w: Walk): Promise<number[]> {
    const cfg = loadKubeconfig({ kubeconfig: w.kubeconfig, env: {} });
    const client = new KubeClient(cfg.kc, cfg.server, 30_000, cfg.contextName);
    const ns = w.namespace;
    const manifest = path.join(w.workDir, 'hippo.yaml');
    const images = ['--image', DEMO_IMAGES.image, '--pgbackrest-image', DEMO_IMAGES.pgbackrestImage];
    const codes: number[] = [];

    /** Prints the command, runs it without blocking this process (the simulators run in it), prints its output. */
    const step = (title: string, args: string[], stdoutTo?: string): Promise<boolean> => {
        w.print(`\n# ${title}\n$ kubectl ivyo-upgrade ${args.join(' ')}${stdoutTo ? ` > ${path.basename(stdoutTo)}` : ''}\n`);
        return new Promise((resolve) => {
            const child = spawn(w.plugin, args, { env: { ...process.env, KUBECONFIG: w.kubeconfig }, cwd: w.workDir, stdio: ['ignore', 'pipe', 'pipe'] });
            let out = '';
            child.stdout.on('data', (d: Buffer) => (stdoutTo ? (out += d.toString()) : w.print(d.toString())));
            child.stderr.on('data', (d: Buffer) => w.print(d.toString()));
            child.on('close', (code) => {
                if (stdoutTo) fs.writeFileSync(stdoutTo, out);
                w.print(`(exit ${code})\n`);
                codes.push(code ?? 1);
                resolve(code === 0);
            });
        });
    };
    /** Runs `body` while a simulated operator works, labelled so nobody mistakes it for the real one. */
    const simulated = async (who: string, start: () => Promise<Simulator>, body: () => Promise<boolean>): Promise<boolean> => {
        w.print(`\n[SIMULATED ${who} started: a stand-in that does what that operator's code does; no real operator runs here]\n`);
        const sim = await start();
        try {
            return await body();
        } finally {
            await sim.stop();
            w.print(`[SIMULATED ${who} stopped${sim.errors.length > 0 ? `, with errors: ${sim.errors.map(String).join('; ')}` : ''}]\n`);
        }
    };

    const ok =
        (await step('1. What each method needs. The default target, IVYO, cannot run v4 data; PGO v5 can:', ['inspect', 'hippo', '-n', ns, '--target', 'pgo'])) &&
        (await step('2. Preview prepare (a dry run writes nothing):', ['prepare', 'hippo', '-n', ns, '--method', 'volumes', '--target', 'pgo', '--dry-run'])) &&
        (await simulated(
            'PGO v4 operator',
            () => new V4OperatorSimulator(w.kubeconfig, ns).start(),
            () =>
                step('3. Prepare: Retain on the PVs, record, scale down the replica, delete v4 keeping every PVC:', [
                    'prepare',
                    'hippo',
                    '-n',
                    ns,
                    '--method',
                    'volumes',
                    '--target',
                    'pgo',
                    '--yes',
                ]),
        )) &&
        (await step(
            "4. Generate the PostgresCluster with a PostgreSQL 13 image (PGO v5's own images run 15-18):",
            ['generate', 'hippo', '-n', ns, '--target', 'pgo', ...images],
            manifest,
        )) &&
        (w.print(fs.readFileSync(manifest, 'utf8')), true) &&
        (await simulated(
            'PGO v5 operator',
            async () => new V5OperatorSimulator(client, 'pgo', ns).start(),
            () => step('5. Apply it: v4 passwords kept, the volumes adopted, spec.dataSource.volumes removed:', ['apply', '-f', path.basename(manifest), '-n', ns, '--yes']),
        )) &&
        (await step('6. Release the repository PVC, so that deleting the v5 cluster (a rollback) leaves it:', ['release-pvc', 'hippo-pgbr-repo', '-n', ns, '--yes']));
    if (ok) w.print(`\nDone: PostgresCluster hippo runs on the v4 volumes in namespace ${ns}.\n`);
    return codes;
}
