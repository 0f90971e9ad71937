import { backrestProjections, isObject, type V4Capture } from '../v4/capture.js';
import { parseIni, parseJson, pgbackrestOf, resourcesOf, type CarryItem, type Spec } from './carry-common.js';

/** v4 schedule type → v5 schedule field (pgBackRest backup types full, diff, incr). */
const SCHEDULE_FIELD: Record<string, 'full' | 'differential' | 'incremental'> = { full: 'full', diff: 'differential', incr: 'incremental' };

/**
 * v4's schedules (one ConfigMap each, its JSON under the schedule's name: cmd/pgo-scheduler/scheduler/types.go)
 * → `repos[].schedules` of the repository of the same storage type: `posix` (or `local`) a volume, `s3`, `gcs`.
 * v5 has one cron per backup type and repository; a policy schedule (SQL) has no v5 equivalent.
 */
export function carrySchedules(c: V4Capture, s: Spec, report: CarryItem[], standby: boolean): void {
    const repos = s.backups?.pgbackrest?.repos ?? [];
    for (const m of c.configMaps.filter((x) => x.role === 'schedule')) {
        for (const [name, text] of Object.entries(m.data)) {
            const job = parseJson(text) ?? {};
            const b = isObject(job.pgbackrest) ? job.pgbackrest : {};
            const field = SCHEDULE_FIELD[String(b.type ?? '')];
            const storage = String(b.storageType ?? 'posix') === 'local' ? 'posix' : String(b.storageType ?? 'posix');
            const repo = repos.find((r) => (storage === 'posix' ? r.volume : storage === 's3' ? r.s3 : storage === 'gcs' ? r.gcs : undefined));
            const from = `schedule ${name} (${String(job.schedule)}, ${String(job.type)}${field ? ` ${String(b.type)} to ${storage}` : ''})`;
            if (standby) {
                report.push({
                    outcome: 'action',
                    from,
                    why: "a standby's repository is v4's, at v4's path: set the schedules once it is promoted and v4 is shut down, so no two clusters back up into one path",
                });
                continue;
            }
            if (job.type !== 'pgbackrest' || !field || typeof job.schedule !== 'string') {
                report.push({ outcome: 'action', from, why: 'v5 has no equivalent of this schedule (a policy, or an unknown backup type): run it yourself, e.g. a CronJob' });
            } else if (!repo) {
                report.push({ outcome: 'action', from, why: `the v5 cluster has no ${storage} repository to take it: add one, then set its schedules` });
            } else if (repo.schedules?.[field] !== undefined) {
                report.push({ outcome: 'action', from, why: `${repo.name} has a ${field} schedule already (v5 takes one per type and repository): merge them yourself` });
            } else {
                repo.schedules = { ...repo.schedules, [field]: job.schedule };
                report.push({ outcome: 'translated', from, to: `spec.backups.pgbackrest.repos[${repos.indexOf(repo)}] (${repo.name}).schedules.${field}` });
                scheduleOptions(String(b.options ?? ''), repo.name, s, `schedule ${name} options`, report);
                continue;
            }
            if (typeof b.options === 'string' && b.options.trim() !== '') {
                report.push({ outcome: 'action', from: `schedule ${name} options ${b.options.trim()}`, why: 'they go with the schedule above, which v5 does not take as it is' });
            }
        }
    }
}

/**
 * A schedule's backup options (`pgbackrest.options`, e.g. `--repo1-retention-full=2`: v4.7.9 cmd/pgo-scheduler/scheduler/types.go
 * PGBackRest.Options, passed to each backup). v5's schedules take none: retention goes to `global`, for the
 * repository that took the schedule; anything else is named for action.
 */
function scheduleOptions(options: string, repo: string, s: Spec, from: string, report: CarryItem[]): void {
    const other: string[] = [];
    for (const m of options.matchAll(/--([a-z0-9-]+)(?:[= ]("[^"]*"|'[^']*'|[^\s-][^\s]*))?/g)) {
        const [option, key = '', value = ''] = m;
        const retention = /^repo\d+-(retention-.+)$/.exec(key)?.[1];
        if (!retention || value === '') {
            other.push(option);
            continue;
        }
        const v5Key = `${repo}-${retention}`;
        const pgbackrest = pgbackrestOf(s);
        const global = pgbackrest.global ?? {};
        const v = value.replace(/^["']|["']$/g, '');
        if (global[v5Key] !== undefined && global[v5Key] !== v) {
            report.push({ outcome: 'action', from: `${from} ${option}`, why: `spec.backups.pgbackrest.global has ${v5Key} ${global[v5Key]} already: choose one` });
        } else {
            pgbackrest.global = { ...global, [v5Key]: v };
            report.push({ outcome: 'translated', from: `${from} ${option}`, to: `spec.backups.pgbackrest.global ${v5Key}` });
        }
    }
    if (other.length > 0) {
        report.push({
            outcome: 'action',
            from: `${from} ${other.join(' ')}`,
            why: "v5's schedules take no backup options: set in spec.backups.pgbackrest.global those that apply to every backup",
        });
    }
}

/**
 * pgBackRest options the v5 operator sets itself (PGO v5.8.9 internal/pgbackrest/config.go; IVYO the same) or that
 * generate sets for the move (the repository's path): carried, they would clash with or undo the operator's.
 */
const BACKREST_OWNED =
    /^(repo\d+-(path|type|host.*|s3-bucket|s3-endpoint|s3-region|gcs-bucket|azure-container)|pg\d+-.*|log-path|log-level-.*|log-timestamp|spool-path|lock-path|archive-async|archive-header-check|page-header-check|pg-version-force|tls-server-.*|stanza)$/;
/** Options that hold a secret: never written into a manifest, which generate prints. */
const BACKREST_SECRET = /(cipher-pass|-key$|-key-secret$|-token$|-key-passphrase$|-sas-key$)/;

/**
 * v4's own pgBackRest configuration: the ConfigMap and Secret `<c>-config-backrest` and the projections of
 * `spec.backrestConfig`, all projected into /etc/pgbackrest/conf.d (v4.7.9 internal/operator/pgbackrest.go,
 * AddBackRestConfigVolumeAndMounts). A ConfigMap's `[global]` options go to `spec.backups.pgbackrest.global`; a
 * Secret (its values never read) is projected by v5 into the same directory, `spec.backups.pgbackrest.configuration`
 * (v4's delete keeps both: cmd/pgo-rmdata/process.go removes only the cluster's own ConfigMaps).
 */
export function carryBackrestConfig(c: V4Capture, s: Spec, cluster: string, report: CarryItem[]): void {
    const pgbackrest = pgbackrestOf(s);
    const global: Record<string, string> = {};
    for (const m of c.configMaps.filter((x) => x.role === 'backrest-config')) {
        for (const [file, content] of Object.entries(m.data)) {
            const from = (k: string) => `${m.name} ${file} ${k}`;
            for (const [section, options] of Object.entries(parseIni(content))) {
                if (section !== 'global') {
                    report.push({
                        outcome: 'action',
                        from: from(`[${section}]`),
                        why: 'spec.backups.pgbackrest.global takes [global] options only: put these in a ConfigMap of your own and list it under spec.backups.pgbackrest.configuration',
                    });
                    continue;
                }
                for (const [k, v] of Object.entries(options)) {
                    if (BACKREST_SECRET.test(k)) {
                        report.push({
                            outcome: 'action',
                            from: from(k),
                            why: 'a secret in a ConfigMap: the manifest does not take it (generate prints it); put it in a Secret and list it under spec.backups.pgbackrest.configuration',
                        });
                    } else if (BACKREST_OWNED.test(k) || pgbackrest.global?.[k] !== undefined) {
                        report.push({ outcome: 'dropped', from: from(k), why: 'the operator (or generate, for the move) sets it' });
                    } else {
                        global[k] = v;
                    }
                }
            }
        }
    }
    if (Object.keys(global).length > 0) {
        pgbackrest.global = { ...pgbackrest.global, ...global };
        report.push({ outcome: 'carried', from: `pgBackRest [global] ${Object.keys(global).sort().join(', ')}`, to: 'spec.backups.pgbackrest.global' });
    }
    const projected = backrestProjections(c.pgcluster.spec).secrets;
    const own = `${cluster}-config-backrest`;
    const secrets = [...new Set([...projected, ...(c.secrets.includes(own) ? [own] : [])])];
    const listed = new Set((pgbackrest.configuration ?? []).map((p) => p.secret?.name));
    for (const name of secrets.filter((n) => !listed.has(n))) {
        (pgbackrest.configuration ??= []).push({ secret: { name } });
        report.push({
            outcome: 'carried',
            from: `Secret ${name} (pgBackRest configuration)`,
            to: 'spec.backups.pgbackrest.configuration',
            why: 'projected into /etc/pgbackrest/conf.d as v4 did; its values are not read, so check it names no path or host the operator sets',
        });
    }
}

/** v4's `backrestResources`/`backrestLimits` are the pgBackRest repository's (v4.7.9 pgo-backrest-repo-template.json) → the v5 repository host's. */
export function carryBackrestResources(spec: Record<string, unknown>, s: Spec, report: CarryItem[]): void {
    const resources = resourcesOf(spec.backrestResources, spec.backrestLimits);
    if (!resources) return;
    if (s.backups?.pgbackrest?.repos?.some((r) => r.volume)) {
        s.backups.pgbackrest.repoHost = { ...s.backups.pgbackrest.repoHost, resources };
        report.push({ outcome: 'translated', from: 'spec.backrestResources, spec.backrestLimits', to: 'spec.backups.pgbackrest.repoHost.resources' });
    } else {
        report.push({
            outcome: 'dropped',
            from: 'spec.backrestResources, spec.backrestLimits',
            why: 'v5 runs a repository host only for a volume repository, and this cluster has none',
        });
    }
}
