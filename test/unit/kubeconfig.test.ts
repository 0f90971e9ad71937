import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';

let dir: string;
beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeconfig-test-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A kubeconfig file with one cluster, user and context each, all named after `tag`. */
function file(name: string, tag: string, opts: { current?: string; namespace?: string; user?: string; server?: string } = {}): string {
    const user = opts.user ?? `u-${tag}`;
    const f = path.join(dir, name);
    fs.writeFileSync(
        f,
        JSON.stringify({
            apiVersion: 'v1',
            kind: 'Config',
            clusters: [{ name: `c-${tag}`, cluster: { server: opts.server ?? `https://${tag}.example:6443` } }],
            users: [{ name: user, user: { token: `token-${tag}` } }],
            contexts: [{ name: `ctx-${tag}`, context: { cluster: `c-${tag}`, user, ...(opts.namespace ? { namespace: opts.namespace } : {}) } }],
            'current-context': opts.current ?? `ctx-${tag}`,
        }),
    );
    return f;
}

describe('kubeconfig loading, kubectl rules', () => {
    it('merges a KUBECONFIG list first-wins: the first current-context and the first user of a name win', () => {
        const a = file('a', 'a', { user: 'shared', namespace: 'ns-a' });
        const b = file('b', 'b', { user: 'shared' });
        const r = loadKubeconfig({ env: { KUBECONFIG: [a, b].join(path.delimiter) }, home: dir });
        expect(r.contextName).toBe('ctx-a');
        expect(r.server).toBe('https://a.example:6443');
        expect(r.namespace).toBe('ns-a');
        expect(r.kc.getUser('shared')).toMatchObject({ token: 'token-a' });
        expect(r.kc.getContextObject('ctx-b')).not.toBeNull();
    });

    it('skips missing files in KUBECONFIG', () => {
        const b = file('b', 'b');
        const r = loadKubeconfig({ env: { KUBECONFIG: [path.join(dir, 'missing'), b].join(path.delimiter) }, home: dir });
        expect(r.contextName).toBe('ctx-b');
    });

    it('fails with a clear message when every listed file is missing', () => {
        expect(() => loadKubeconfig({ env: { KUBECONFIG: path.join(dir, 'missing') }, home: dir })).toThrow(/no kubeconfig found: KUBECONFIG .* names no existing file/);
    });

    it('uses --kubeconfig alone, ignoring KUBECONFIG', () => {
        const a = file('a', 'a');
        const b = file('b', 'b');
        const r = loadKubeconfig({ kubeconfig: b, env: { KUBECONFIG: a }, home: dir });
        expect(r.contextName).toBe('ctx-b');
        expect(r.kc.getContextObject('ctx-a')).toBeNull();
    });

    it('rejects a --kubeconfig that does not exist', () => {
        expect(() => loadKubeconfig({ kubeconfig: path.join(dir, 'nope'), env: {}, home: dir })).toThrow(
            'kubeconfig file "' + path.join(dir, 'nope') + '" (--kubeconfig) does not exist',
        );
    });

    it('falls back to ~/.kube/config', () => {
        fs.mkdirSync(path.join(dir, '.kube'));
        file(path.join('.kube', 'config'), 'home');
        expect(loadKubeconfig({ env: {}, home: dir }).contextName).toBe('ctx-home');
    });

    it('switches to --context and checks that it exists', () => {
        const a = file('a', 'a');
        const b = file('b', 'b', { namespace: 'ns-b' });
        const env = { KUBECONFIG: [a, b].join(path.delimiter) };
        const r = loadKubeconfig({ context: 'ctx-b', env, home: dir });
        expect([r.contextName, r.server, r.namespace]).toEqual(['ctx-b', 'https://b.example:6443', 'ns-b']);
        expect(r.kc.getCurrentContext()).toBe('ctx-b');
        expect(() => loadKubeconfig({ context: 'nope', env, home: dir })).toThrow('context "nope" not found in the kubeconfig');
    });

    it('takes the namespace from -n, else the context, else "default"', () => {
        const a = file('a', 'a', { namespace: 'from-context' });
        const b = file('b', 'b');
        expect(loadKubeconfig({ kubeconfig: a, namespace: 'from-flag', env: {}, home: dir }).namespace).toBe('from-flag');
        expect(loadKubeconfig({ kubeconfig: a, env: {}, home: dir }).namespace).toBe('from-context');
        expect(loadKubeconfig({ kubeconfig: b, env: {}, home: dir }).namespace).toBe('default');
    });

    it('asks for --context when there is no current context', () => {
        const a = file('a', 'a', { current: '' });
        expect(() => loadKubeconfig({ kubeconfig: a, env: {}, home: dir })).toThrow(/no current context: pass --context/);
    });
});
