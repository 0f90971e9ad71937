import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Inspection } from '../../src/v4/inspection.js';
import { SCENARIOS } from '../fixtures/v4/cluster.js';
import { adminKubeconfig, createNamespace, createObjects, notePrinted } from '../support/kube.js';

// The linux/amd64 archive installed the way krew does it: unpacked into a store, its bin symlinked into a
// folder on PATH as kubectl-ivyo_upgrade. PATH holds only that folder and kubectl: no Node anywhere.
let ns: string;
let bin: string;
beforeAll(async () => {
    ns = await createNamespace('install');
    await createObjects(SCENARIOS.failover(ns));
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'krew-'));
    const store = path.join(root, 'store', 'ivyo-upgrade', 'v0.1.0');
    bin = path.join(root, 'bin');
    fs.mkdirSync(store, { recursive: true });
    fs.mkdirSync(bin);
    execFileSync('tar', ['-xzf', path.resolve('dist/release/kubectl-ivyo_upgrade_0.1.0_linux_amd64.tar.gz'), '-C', store]);
    fs.symlinkSync(path.join(store, 'kubectl-ivyo_upgrade'), path.join(bin, 'kubectl-ivyo_upgrade'));
    fs.symlinkSync(path.join(store, 'kubectl_complete-ivyo_upgrade'), path.join(bin, 'kubectl_complete-ivyo_upgrade'));
    const kubectl = execFileSync('/bin/sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
    fs.symlinkSync(fs.realpathSync(kubectl), path.join(bin, 'kubectl'));
});

/** Runs a shell line as a user would; what it printed goes to the secrets checks (test/e2e/audit.ts). */
const sh = (script: string) => {
    const r = spawnSync('/bin/sh', ['-c', script], { env: { PATH: bin, HOME: os.tmpdir(), KUBECONFIG: adminKubeconfig() }, encoding: 'utf8' });
    notePrinted(script.split(/\s+/), `${r.stdout}${r.stderr}`);
    return r;
};

describe('installed from the linux/amd64 archive, as krew does it', () => {
    it('has no Node on PATH', () => {
        expect(sh('command -v node').status).not.toBe(0);
    });

    it('is listed by kubectl plugin list', () => {
        const r = sh('kubectl plugin list');
        expect(r.stdout).toContain(path.join(bin, 'kubectl-ivyo_upgrade'));
        expect(r.stderr).not.toMatch(/warning/i);
    });

    it('answers --help from the texts the build rendered, the same as help.ts renders them, and --version', () => {
        for (const command of ['', 'inspect', 'prepare', 'generate', 'apply', 'promote', 'cutover', 'release-pvc', 'completion']) {
            const r = sh(`kubectl ivyo-upgrade ${command} --help`);
            expect(r.status).toBe(0);
            expect(r.stdout).toBe(fs.readFileSync(path.resolve('test/fixtures/help', `${command || 'root'}.txt`), 'utf8'));
        }
        const unknown = sh('kubectl ivyo-upgrade frobnicate --help');
        expect([unknown.status, unknown.stderr]).toEqual([2, expect.stringMatching(/^error: unknown command "frobnicate"/)]);
        expect(sh('kubectl ivyo-upgrade --version').stdout).toBe('0.1.0\n');
    });

    it('runs kubectl ivyo-upgrade inspect against the test cluster', () => {
        const r = sh(`kubectl ivyo-upgrade inspect hippo -n ${ns} -o json`);
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        expect((JSON.parse(r.stdout) as Inspection).primary.deployment).toBe('hippo-jgut');
    });
});
