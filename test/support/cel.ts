/**
 * The CEL rules (`x-kubernetes-validations`) of a CRD, evaluated against a manifest as a Kubernetes 1.25+ API
 * server would on create: the test API server (v1.20) cannot, so a manifest such a server rejects would pass there.
 * Each rule runs with `self` bound to the value at its schema node, only where that value is present; transition
 * rules (those naming `oldSelf`) do not apply on create. Integers go in as CEL ints, as the server types them.
 * An expression this library cannot evaluate is reported too, never passed over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { evaluate } from '@marcbachmann/cel-js';
import { load } from 'js-yaml';
import { isObject } from '../../src/v4/capture.js';

interface Schema {
    type?: string;
    properties?: Record<string, Schema>;
    additionalProperties?: Schema | boolean;
    items?: Schema;
    'x-kubernetes-validations'?: { rule: string; message?: string }[];
}

function celValue(v: unknown, s: Schema | undefined): unknown {
    if (typeof v === 'number' && s?.type === 'integer') return BigInt(v);
    if (Array.isArray(v)) return v.map((x) => celValue(x, s?.items));
    if (isObject(v)) {
        const extra = typeof s?.additionalProperties === 'object' ? s.additionalProperties : undefined;
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, celValue(x, s?.properties?.[k] ?? extra)]));
    }
    return v;
}

function walk(s: Schema, v: unknown, path: string, out: string[]): void {
    for (const { rule, message } of s['x-kubernetes-validations'] ?? []) {
        if (/\boldSelf\b/.test(rule)) continue;
        try {
            if (evaluate(rule, { self: celValue(v, s) }) !== true) out.push(`${path}: ${message ?? rule}`);
        } catch (e) {
            out.push(`${path}: cannot evaluate ${rule}: ${e instanceof Error ? e.message : String(e)}`);
        }
    }
    if (Array.isArray(v) && s.items) v.forEach((x, i) => walk(s.items!, x, `${path}[${i}]`, out));
    if (isObject(v)) {
        for (const [k, x] of Object.entries(v)) {
            const child = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
            if (child) walk(child, x, `${path}.${k}`, out);
        }
    }
}

/** The CRDs the tests install, by target: their CEL rules are what a 1.25+ server would check. */
export const CRD_FILES = {
    pgo: path.resolve('test/fixtures/crds/pgo-v5/postgres-operator.crunchydata.com_postgresclusters.yaml'),
    ivyo: path.resolve('test/fixtures/crds/ivyo-v5/ivory-operator.ivorysql.org_ivoryclusters.yaml'),
} as const;

/** The messages of every CEL rule of the CRD file's served version that the manifest breaks (empty: it passes). */
export function celViolations(crdFile: string, manifest: unknown): string[] {
    const out: string[] = [];
    walk(servedSchema(crdFile), manifest, '', out);
    return out;
}

function servedSchema(crdFile: string): Schema {
    const crd = load(fs.readFileSync(crdFile, 'utf8')) as { spec: { versions: { served: boolean; schema: { openAPIV3Schema: Schema } }[] } };
    const version = crd.spec.versions.find((v) => v.served);
    if (!version) throw new Error(`${crdFile}: no served version`);
    return version.schema.openAPIV3Schema;
}

/** How many CEL rules the CRD's schema holds: a check that finds none would prove nothing. */
export function celRuleCount(crdFile: string): number {
    const count = (s: Schema | undefined): number =>
        !s
            ? 0
            : (s['x-kubernetes-validations']?.length ?? 0) +
              Object.values(s.properties ?? {}).reduce((n, c) => n + count(c), 0) +
              count(typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined) +
              count(s.items);
    return count(servedSchema(crdFile));
}
