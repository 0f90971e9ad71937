/** Installs the real CRDs of test/fixtures/crds on a v1.20 API server (see the README there). */
import fs from 'node:fs';
import path from 'node:path';
import { loadAll } from 'js-yaml';
import { adminRequest } from './admin-http.js';
import { repoRoot } from './repo-root.js';

type Schema = { [key: string]: unknown };

const crdRoot = () => path.join(repoRoot(), 'test/fixtures/crds');

/** The two changes a v1.20 server needs; returns a new object, the input stays as published. */
export function adaptCrdForV120(crd: Schema): Schema {
    const walk = (node: unknown): unknown => {
        if (Array.isArray(node)) return node.map(walk);
        if (node === null || typeof node !== 'object') return node;
        const out: Schema = {};
        for (const [k, v] of Object.entries(node)) {
            if (k === 'x-kubernetes-validations') continue;
            if (k === 'default' && v === '') continue;
            out[k] = walk(v);
        }
        const keys = out['x-kubernetes-list-map-keys'];
        const items = out.items as Schema | undefined;
        if (Array.isArray(keys) && items && typeof items === 'object') {
            const required = new Set<string>((items.required as string[] | undefined) ?? []);
            for (const key of keys as string[]) required.add(key);
            items.required = [...required];
        }
        return out;
    };
    return walk(crd) as Schema;
}

export function readCrds(): Schema[] {
    return fs
        .readdirSync(crdRoot(), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .flatMap((d) =>
            fs
                .readdirSync(path.join(crdRoot(), d.name))
                .filter((f) => f.endsWith('.yaml'))
                .flatMap((f) => loadAll(fs.readFileSync(path.join(crdRoot(), d.name, f), 'utf8')) as Schema[]),
        )
        .filter((doc) => doc && doc.kind === 'CustomResourceDefinition');
}

/** Server-side apply (the v5 CRDs exceed client-side apply's annotation limit), then wait until Established. */
export async function installCrds(server: string, token: string): Promise<void> {
    for (const crd of readCrds()) {
        const adapted = adaptCrdForV120(crd);
        const apiVersion = String(adapted.apiVersion);
        const name = String((adapted.metadata as Schema).name);
        const res = await adminRequest(
            server,
            token,
            'PATCH',
            `/apis/${apiVersion}/customresourcedefinitions/${name}?fieldManager=test-cluster&force=true`,
            adapted,
            'application/apply-patch+yaml',
        );
        if (res.status >= 300) throw new Error(`installing CRD ${name}: HTTP ${res.status}: ${res.body.slice(0, 2000)}`);
        const deadline = Date.now() + 30_000;
        for (;;) {
            const got = await adminRequest(server, token, 'GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
            const conditions = (JSON.parse(got.body).status?.conditions ?? []) as { type: string; status: string }[];
            if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) break;
            if (Date.now() > deadline) throw new Error(`CRD ${name} not Established after 30s`);
            await new Promise((r) => setTimeout(r, 100));
        }
    }
}
