import { isObject } from '../v4/capture.js';
import type { V5Cluster, V5PgBackRest } from './cluster.js';
import type { ParametersAt } from './crd-fields.js';

/**
 * What became of one captured v4 setting in the v5 manifest: `carried` as it was, `translated` to another
 * field or shape, `dropped` (and why), or needing `action` from the user.
 */
export interface CarryItem {
    outcome: 'carried' | 'translated' | 'dropped' | 'action';
    from: string;
    to?: string;
    why?: string;
}

export type Spec = NonNullable<V5Cluster['spec']>;
export type InstanceSet = NonNullable<Spec['instances']>[number];

export const nonEmpty = (x: unknown): x is Record<string, unknown> => isObject(x) && Object.keys(x).length > 0;

/** The manifest's `spec.backups.pgbackrest`, made where it is missing, for a carry to add to. */
export function pgbackrestOf(s: Spec): V5PgBackRest {
    return ((s.backups ??= {}).pgbackrest ??= {});
}

/** A non-empty string, or undefined. */
export const text = (x: unknown): string | undefined => (typeof x === 'string' && x !== '' ? x : undefined);

/** A map of v4's as strings, as Kubernetes takes labels, annotations and quantities. */
export const strings = (x: unknown): Record<string, string> => Object.fromEntries(Object.entries(isObject(x) ? x : {}).map(([k, v]) => [k, String(v)]));

/** v4's ResourceLists (requests, limits) as a v5 `resources`, or undefined when both are empty. */
export function resourcesOf(requests: unknown, limits: unknown): { requests?: Record<string, string>; limits?: Record<string, string> } | undefined {
    if (!nonEmpty(requests) && !nonEmpty(limits)) return undefined;
    return { ...(nonEmpty(requests) ? { requests: strings(requests) } : {}), ...(nonEmpty(limits) ? { limits: strings(limits) } : {}) };
}

/** The `[section]` → `key = value` of an ini file; comments (`;`, `#`) and blank lines left out. */
export function parseIni(text: string | undefined): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    let section = '';
    for (const raw of (text ?? '').split('\n')) {
        const line = raw.trim();
        if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
        const header = /^\[(.+)\]$/.exec(line);
        if (header?.[1]) {
            section = header[1].trim();
            continue;
        }
        const eq = line.indexOf('=');
        if (eq > 0) (out[section] ??= {})[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
    }
    return out;
}

/** A JSON object, or null where the text is not one (reported by the caller, never guessed at). */
export function parseJson(source: string): Record<string, unknown> | null {
    try {
        const j: unknown = JSON.parse(source);
        return isObject(j) ? j : null;
    } catch {
        return null;
    }
}

/** What carry needs besides the capture: the method's kind, and the user's replication certificate. */
export interface CarryOptions {
    /** The data comes from v4's volumes or backups (not a logical move): v4's bootstrap SQL already ran on it. */
    physical: boolean;
    /** A standby of v4 (method 3): v4's schedules wait until promote, lest they back up into v4's repository path. */
    standby?: boolean;
    /** `--replication-tls-secret`: a Secret with the target's replication client certificate, signed by v4's CA. */
    replicationTLSSecret?: string;
    /** Where the installed CRD takes PostgreSQL parameters (default: Patroni's dynamic configuration, which every v5 takes). */
    parametersAt?: ParametersAt;
}
