import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { auditLog, startCluster, type TestCluster } from '../../scripts/test-cluster.js';
import { auditReport, secretsPrinted, secretsUnnamed } from './audit.js';

declare module 'vitest' {
    export interface ProvidedContext {
        kubeconfig: string;
        /** Where every command a test runs appends what it printed (test/support/kube.ts), for the secrets check. */
        printed: string;
    }
}

let cluster: TestCluster | undefined;

/** Starts the real control plane once per run (about 10 s; the first run on a machine also builds it). */
export async function setup(project: TestProject): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ivyo-upgrade-e2e-'));
    cluster = await startCluster(dir);
    project.provide('kubeconfig', cluster.kubeconfig);
    project.provide('printed', path.join(dir, 'printed.log'));
}

/**
 * Stops the control plane, then reads its audit log as a witness of the whole run: it prints the tool's writes
 * by verb and resource, and fails the run on any DELETE of a PVC or PV the tool sent, on a Secret it read by name
 * without naming it in what it printed there, and on a secret value it printed.
 */
export async function teardown(): Promise<void> {
    if (!cluster) return;
    const leaks = await secretsPrinted(cluster, path.join(cluster.dir, 'printed.log'));
    await cluster.stop();
    const report = auditReport(auditLog(cluster.dir));
    const unnamed = secretsUnnamed(report, path.join(cluster.dir, 'printed.log'));
    fs.rmSync(cluster.dir, { recursive: true, force: true });
    const writes = [...report.writes].sort(([a], [b]) => a.localeCompare(b));
    process.stderr.write(
        `\nThe API server's audit log, requests with the tool's User-Agent: ${writes.reduce((n, [, c]) => n + c, 0)} writes, ${report.volumeDeletes.length} DELETEs of a PVC or PV, ${report.secretsRead.size} Secrets read by name, ${report.dryRuns} dry-run writes\n` +
            writes.map(([what, n]) => `  ${String(n).padStart(5)}  ${what}\n`).join(''),
    );
    process.stderr.write(`Secret values looked for in what the commands printed: ${leaks.checked}, found: ${leaks.found.length}\n`);
    process.stderr.write(`Secrets read by name and never named in that namespace's output: ${unnamed.length}\n`);
    const failure =
        writes.length === 0
            ? 'the audit log holds no write of the tool: the witness saw nothing (is the User-Agent sent?)'
            : report.volumeDeletes.length > 0
              ? `the tool deleted a PVC or PV:\n${report.volumeDeletes.join('\n')}`
              : unnamed.length > 0
                ? `the tool read Secrets it never named in what it printed: ${unnamed.join(', ')}`
                : leaks.found.length > 0
                  ? `a command printed the value of ${leaks.found.join(', ')}`
                  : leaks.checked === 0
                    ? 'no Secret value to look for: the secrets check saw nothing'
                    : null;
    if (failure) {
        // vitest reports an error thrown here but exits 0 for it: the exit code says it.
        process.exitCode = 1;
        throw new Error(failure);
    }
}
