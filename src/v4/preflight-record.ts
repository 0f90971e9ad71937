import type { KubeObject } from '../kube/types.js';
import { parsePreflight, type PreflightFacts } from './preflight.js';

/**
 * What prepare's preflight Job read on v4 (the logical move), kept in a ConfigMap of its own beside v4 so that
 * inspect, generate and apply judge the move by it. Labelled with the v4 cluster's name, which no v4 cleanup
 * selects. No secret in it: names, sizes and settings.
 */
export const PREFLIGHT_LABEL = 'ivyo-upgrade.ivorysql.org/preflight';
export const PREFLIGHT_KEY = 'preflight.json';
export const READ_AT_KEY = 'readAt';
export const preflightName = (cluster: string) => `${cluster}-ivyo-upgrade-preflight`;

export interface RecordedPreflight {
    readAt: string;
    facts: PreflightFacts;
}

export function preflightConfigMap(namespace: string, cluster: string, p: RecordedPreflight): KubeObject & { data: Record<string, string> } {
    return {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: preflightName(cluster), namespace, labels: { 'app.kubernetes.io/managed-by': 'kubectl-ivyo-upgrade', [PREFLIGHT_LABEL]: cluster } },
        data: { [PREFLIGHT_KEY]: JSON.stringify(p.facts), [READ_AT_KEY]: p.readAt },
    };
}

/** The recorded facts of one v4 cluster among the labelled ConfigMaps; a damaged one counts as not read. */
export function recordedPreflight(configMaps: (KubeObject & { data?: Record<string, string> })[], namespace: string, cluster: string): RecordedPreflight | null {
    const cm = configMaps.find((c) => c.metadata.namespace === namespace && c.metadata.name === preflightName(cluster) && c.metadata.labels?.[PREFLIGHT_LABEL] === cluster);
    const text = cm?.data?.[PREFLIGHT_KEY];
    if (!text) return null;
    try {
        return { readAt: cm.data?.[READ_AT_KEY] ?? '', facts: parsePreflight(text) };
    } catch {
        return null;
    }
}
