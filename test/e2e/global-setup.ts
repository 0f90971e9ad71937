import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startCluster, type TestCluster } from '../../scripts/test-cluster.js';

declare module 'vitest' {
    export interface ProvidedContext {
        kubeconfig: string;
    }
}

let cluster: TestCluster | undefined;

/** Starts the real control plane once per run (about 10 s; the first run on a machine also builds it). */
export async function setup(project: TestProject): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ivyo-upgrade-e2e-'));
    cluster = await startCluster(dir);
    project.provide('kubeconfig', cluster.kubeconfig);
}

export async function teardown(): Promise<void> {
    if (!cluster) return;
    await cluster.stop();
    fs.rmSync(cluster.dir, { recursive: true, force: true });
}
