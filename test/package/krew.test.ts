import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';

// Runs after `npm run package` (npm test does it first): checks what a release would publish.
const manifestFile = path.resolve('krew/ivyo-upgrade.yaml');
const releaseDir = path.resolve('dist/release');

interface Platform {
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
    uri?: string;
    sha256?: string;
    bin?: string;
    files?: { from?: string; to?: string }[];
}
interface Manifest {
    apiVersion: string;
    kind: string;
    metadata: { name: string };
    spec: { version: string; homepage?: string; shortDescription: string; description: string; caveats?: string; platforms: Platform[] };
}

const SUPPORTED: Record<string, string[]> = { windows: ['386', 'amd64', 'arm64'], linux: ['386', 'amd64', 'arm', 'arm64', 'ppc64le'], darwin: ['386', 'amd64', 'arm64'] };
const WINDOWS_DEVICES = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;

/**
 * krew's validation (kubernetes-sigs/krew internal/index/validation/validate.go, cmd/validate-krew-manifest),
 * plus the krew-index reviewers' guidelines.
 */
function krewProblems(m: Manifest, fileName: string): string[] {
    const p: string[] = [];
    if (m.apiVersion !== 'krew.googlecontainertools.github.com/v1alpha2') p.push(`apiVersion ${m.apiVersion}`);
    if (m.kind !== 'Plugin') p.push(`kind ${m.kind}`);
    if (!/^[\w-]+$/.test(m.metadata.name) || WINDOWS_DEVICES.test(m.metadata.name)) p.push(`name ${m.metadata.name}`);
    if (`${m.metadata.name}.yaml` !== fileName) p.push('the name must equal the file name');
    if (!m.spec.shortDescription || m.spec.shortDescription.includes('\n')) p.push('shortDescription must be one non-empty line');
    if (m.spec.shortDescription.length > 50) p.push('shortDescription over 50 characters');
    if (m.spec.description.split('\n').some((l) => l.length > 80)) p.push('description not wrapped at 80 columns');
    if (!/^v\d+\.\d+\.\d+(-[\w.]+)?(\+[\w.]+)?$/.test(m.spec.version)) p.push(`version ${m.spec.version} is not v-prefixed semver`);
    if (m.spec.platforms.length === 0) p.push('no platform');
    const claimed = new Set<string>();
    for (const [n, pl] of m.spec.platforms.entries()) {
        if (!pl.uri) p.push(`platform ${n}: no uri`);
        if (!/^[a-f0-9]{64}$/.test(pl.sha256 ?? '')) p.push(`platform ${n}: sha256 not 64 lowercase hex`);
        if (!pl.bin) p.push(`platform ${n}: no bin`);
        if (pl.files !== undefined && (pl.files.length === 0 || pl.files.some((f) => !f.from || !f.to))) p.push(`platform ${n}: files empty or without from/to`);
        const labels = pl.selector?.matchLabels ?? {};
        if (!pl.selector || Object.keys(labels).length === 0 || pl.selector.matchExpressions) p.push(`platform ${n}: selector must be matchLabels here`);
        if (Object.keys(labels).some((k) => k !== 'os' && k !== 'arch')) p.push(`platform ${n}: selector keys other than os/arch`);
        const matches = Object.entries(SUPPORTED).flatMap(([os, arches]) =>
            arches.filter((arch) => (!labels.os || labels.os === os) && (!labels.arch || labels.arch === arch)).map((arch) => `${os}/${arch}`),
        );
        if (matches.length === 0) p.push(`platform ${n}: matches no supported os/arch`);
        for (const m2 of matches) {
            if (claimed.has(m2)) p.push(`platforms overlap on ${m2}`);
            claimed.add(m2);
        }
    }
    return p;
}

describe('the krew manifest', () => {
    const manifest = load(fs.readFileSync(manifestFile, 'utf8')) as Manifest;

    it("passes krew's validation rules", () => {
        expect(krewProblems(manifest, path.basename(manifestFile))).toEqual([]);
    });

    it('catches what krew rejects (the validator can fail)', () => {
        const bad = structuredClone(manifest);
        bad.spec.platforms[1]!.selector = { matchLabels: { os: 'linux', arch: 'amd64' } };
        bad.spec.platforms[0]!.sha256 = bad.spec.platforms[0]!.sha256!.toUpperCase();
        bad.spec.version = '0.1.0';
        expect(krewProblems(bad, 'ivyo-upgrade.yaml')).toEqual(
            expect.arrayContaining(['platforms overlap on linux/amd64', 'platform 0: sha256 not 64 lowercase hex', 'version 0.1.0 is not v-prefixed semver']),
        );
    });

    it('has one platform per archive, each sha256 that of its archive, each uri naming it', () => {
        const archives = fs
            .readdirSync(releaseDir)
            .filter((f) => f.endsWith('.tar.gz'))
            .sort();
        expect(archives).toEqual(['darwin_amd64', 'darwin_arm64', 'linux_amd64', 'linux_arm64'].map((p) => `kubectl-ivyo_upgrade_0.1.0_${p}.tar.gz`));
        for (const pl of manifest.spec.platforms) {
            const { os, arch } = pl.selector!.matchLabels!;
            const archive = `kubectl-ivyo_upgrade_0.1.0_${os}_${arch}.tar.gz`;
            expect(pl.uri).toMatch(new RegExp(`/v0\\.1\\.0/${archive.replaceAll('.', '\\.')}$`));
            expect(pl.sha256).toBe(
                createHash('sha256')
                    .update(fs.readFileSync(path.join(releaseDir, archive)))
                    .digest('hex'),
            );
        }
    });

    it('installs files every archive holds, a LICENSE among them', () => {
        for (const pl of manifest.spec.platforms) {
            const { os, arch } = pl.selector!.matchLabels!;
            const listing = execFileSync('tar', ['-tzf', path.join(releaseDir, `kubectl-ivyo_upgrade_0.1.0_${os}_${arch}.tar.gz`)], { encoding: 'utf8' })
                .split('\n')
                .map((l) => l.replace(/^\.\//, ''))
                .filter(Boolean);
            expect(listing.sort()).toEqual(['LICENSE', 'README.md', 'kubectl-ivyo_upgrade', 'kubectl_complete-ivyo_upgrade']);
            expect(pl.files!.map((f) => f.from).sort()).toEqual(['LICENSE', 'README.md', 'kubectl-ivyo_upgrade', 'kubectl_complete-ivyo_upgrade']);
            expect(pl.bin).toBe('kubectl-ivyo_upgrade');
        }
    });

    it('says in its caveats that the portable platforms need Node', () => {
        expect(manifest.spec.caveats).toContain('On macOS and\nlinux/arm64 it needs Node.js 20 or newer on PATH');
    });
});
