import type { KubeClient } from '../kube/client.js';
import { firstLine } from '../errors.js';
import { paths } from '../kube/paths.js';
import { removePvcLabels, retainPv } from '../kube/volume-writes.js';
import { applyRequest, createRequest, deleteRequest, mergePatchRequest, send, type WriteRequest } from '../kube/writes.js';
import type { Pgcluster } from '../kube/types.js';
import type { TargetChoice } from '../targets/choice.js';
import { readPrepareState, type PrepareState } from '../v4/prepare-state.js';
import { CAPTURE_KEY, recordConfigMap, recordName } from '../v4/record.js';
import type { Procedure } from './execute.js';
import { backupTaskName, BACKUP_MARK, describeAction, isWait, planPrepare, prepareNotes, type PrepareAction, type PrepareOptions } from './prepare.js';

/** `pgo scaledown --target` at the API level: the pgtask the v4 apiserver would create (docs/upstream-facts.md "v4 scale-down"). */
export function scaleDownTask(c: Pgcluster, replica: string, deleteData: boolean): Record<string, unknown> {
    const cluster = c.metadata.name;
    const tolerations = c.spec?.tolerations ?? [];
    return {
        apiVersion: 'crunchydata.com/v1',
        kind: 'Pgtask',
        metadata: { name: `${replica}-rmdata`, labels: { 'pg-cluster': cluster, pgrmdata: 'true' } },
        spec: {
            name: `${replica}-rmdata`,
            tasktype: 'delete-data',
            parameters: {
                'delete-data': String(deleteData),
                'delete-backups': 'false',
                'image-prefix': c.spec?.pgoimageprefix ?? '',
                'is-replica': 'true',
                'is-backup': 'false',
                'pg-cluster': cluster,
                'replica-name': replica,
                'crunchy-pgha-scope': cluster,
                'rmdata-tolerations': tolerations.length > 0 ? JSON.stringify(tolerations) : '',
            },
        },
    };
}

/** `pgo backup` at the API level: the pgtask the v4 apiserver would create (docs/upstream-facts.md "v4 backup"). */
export function backupTask(c: Pgcluster, repoPod: string, type: string): Record<string, unknown> {
    const cluster = c.metadata.name;
    return {
        apiVersion: 'crunchydata.com/v1',
        kind: 'Pgtask',
        metadata: { name: backupTaskName(cluster), labels: { 'pg-cluster': cluster, pgouser: 'kubectl-ivyo-upgrade' }, annotations: { [BACKUP_MARK]: 'backups' } },
        spec: {
            name: backupTaskName(cluster),
            tasktype: 'backrest',
            parameters: {
                'job-name': backupTaskName(cluster),
                'pg-cluster': cluster,
                podname: repoPod,
                containername: 'database',
                'image-prefix': c.spec?.ccpimageprefix ?? '',
                'backrest-command': 'backup',
                'backrest-opts': `--type=${type}`,
                'backrest-storage-type': (c.spec?.backrestStorageTypes ?? []).join(','),
                'backrest-s3-verify-tls': c.spec?.backrestS3VerifyTLS === 'false' ? 'false' : 'true',
            },
        },
    };
}

/** `pgbackrest info --output json`: each stanza's name and backups (`label (type)`); anything else is ignored. */
export function backupSet(json: string): { name: string; backups: string[] }[] {
    const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
    const field = (o: unknown, key: 'name' | 'label' | 'type' | 'backup'): unknown => (typeof o === 'object' && o !== null && key in o ? Reflect.get(o, key) : undefined);
    const str = (v: unknown) => (typeof v === 'string' ? v : '?');
    return list(JSON.parse(json)).map((stanza) => ({
        name: str(field(stanza, 'name')),
        backups: list(field(stanza, 'backup')).map((b) => `${str(field(b, 'label'))} (${str(field(b, 'type'))})`),
    }));
}

/** `pgo show backup` at the API level (docs/upstream-facts.md "v4 backup"): `pgbackrest info` in the repo pod, when exec can reach it. */
async function showBackups(client: KubeClient, s: PrepareState, log: (line: string) => void): Promise<void> {
    const pod = s.pods.find((p) => p.metadata.labels?.['pgo-backrest-repo'] === 'true' && p.metadata.labels?.['pg-cluster'] === s.cluster);
    const types = s.live?.repository.types ?? ['posix'];
    const how = (t: string) => ['pgbackrest', 'info', '--output', 'json', ...(t === 'posix' ? [] : [`--repo1-type=${t}`])];
    for (const t of types) {
        const shell = `kubectl exec -n ${s.namespace} ${pod?.metadata.name ?? '<repo pod>'} -c database -- ${how(t).join(' ')}`;
        if (!pod) {
            log(`  cannot show the ${t} backup set: no repo pod; check it with: ${shell}`);
            continue;
        }
        try {
            const info = backupSet(await client.exec(s.namespace, pod.metadata.name, 'database', how(t), 30_000));
            for (const stanza of info) log(`  ${t} repository, stanza ${stanza.name}: ${stanza.backups.join(', ') || 'no backups'}`);
        } catch (e) {
            const phase = pod.status?.phase ?? 'unknown';
            const why = phase === 'Running' ? '' : `pod ${pod.metadata.name} is ${phase}, not Running; `;
            log(`  cannot show the ${t} backup set (${why}exec answered: ${firstLine(e)}); check it yourself before going on: ${shell}`);
        }
    }
}

/** The exact writes of one step of prepare, in order (none for a wait). Pure: the table test pins every one. */
export function prepareRequests(a: PrepareAction, s: PrepareState, options: Pick<PrepareOptions, 'method'>): WriteRequest[] {
    const { namespace, cluster } = s;
    switch (a.kind) {
        case 'retain-pv':
            return [retainPv(a.pv)];
        case 'record':
            // Planned only while the pgcluster is read live.
            if (!s.live) throw new Error('internal: record planned without a live pgcluster');
            return [applyRequest(paths.configMap(namespace, recordName(cluster)), recordConfigMap(s.live, options.method, s.liveCapture), true)];
        case 'record-capture':
            if (!s.liveCapture) throw new Error('internal: record-capture planned without a capture');
            return [mergePatchRequest(paths.configMap(namespace, recordName(cluster)), { data: { [CAPTURE_KEY]: JSON.stringify(s.liveCapture, null, 2) } })];
        case 'scale-down':
            if (!s.pgcluster) throw new Error('internal: scale-down planned without a pgcluster');
            return [createRequest(paths.pgtask(namespace), scaleDownTask(s.pgcluster, a.deployment, a.deleteData))];
        case 'backup': {
            if (!s.pgcluster) throw new Error('internal: backup planned without a pgcluster');
            // As the v4 apiserver does: the earlier pgtask and backup Jobs go before a new backup.
            const earlier = s.pgtasks.find((t) => t.metadata.name === backupTaskName(cluster));
            const replaced = a.replace
                ? [
                      deleteRequest(paths.pgtask(namespace, backupTaskName(cluster)), { preconditions: { uid: earlier?.metadata.uid } }),
                      ...s.backupJobs.map((j) => deleteRequest(paths.job(namespace, j.metadata.name), { propagationPolicy: 'Foreground' })),
                  ]
                : [];
            return [...replaced, createRequest(paths.pgtask(namespace), backupTask(s.pgcluster, a.repoPod, a.type))];
        }
        case 'annotate-keep':
            return [
                mergePatchRequest(paths.pgcluster(namespace, cluster), { metadata: { annotations: { 'keep-backups': 'true', ...(a.keepData ? { 'keep-data': 'true' } : {}) } } }),
            ];
        case 'delete-pgcluster':
            // uid and resourceVersion: the server deletes exactly the object just read, with its keep annotations;
            // a concurrent change (one that strips keep-data, say) makes it answer 409 and delete nothing.
            return [
                deleteRequest(paths.pgcluster(namespace, cluster), {
                    preconditions: { uid: s.pgcluster?.metadata.uid, resourceVersion: s.pgcluster?.metadata.resourceVersion },
                }),
            ];
        case 'remove-v4-labels':
            return [removePvcLabels(namespace, a.pvc, a.labels)];
        case 'wait-scale-down':
        case 'wait-rmdata':
        case 'wait-backup':
        case 'wait-v4-cleanup':
            return [];
    }
}

export function prepareCluster(
    client: KubeClient,
    namespace: string,
    cluster: string,
    target: TargetChoice,
    options: PrepareOptions,
    log: (line: string) => void,
): Procedure<PrepareState, PrepareAction> {
    return {
        title: `prepare v4 cluster ${cluster} in namespace ${namespace} for the ${{ volumes: 'data-volumes', backups: 'backups', standby: 'standby' }[options.method]} method`,
        observe: () => readPrepareState(client, namespace, cluster, target),
        plan: (s) => planPrepare(s, options),
        notes: (s) => prepareNotes(s, options.method),
        describe: describeAction,
        isWait,
        async execute(a, s, dryRun) {
            if (a.kind === 'annotate-keep' && a.showBackups && !dryRun) await showBackups(client, s, log);
            if (a.kind === 'delete-pgcluster' && !dryRun) {
                // In a real run the state was just read: the keep annotations must be on the object deleted.
                // (A server dry run never persisted them; its delete is only validated.)
                const notes = s.pgcluster?.metadata.annotations ?? {};
                const needed = options.method === 'backups' && options.deleteData ? ['keep-backups'] : ['keep-data', 'keep-backups'];
                if (!needed.every((k) => k in notes)) throw new Error(`internal: delete planned before ${needed.join(' and ')}`);
            }
            for (const request of prepareRequests(a, s, options)) await send(client, request, { dryRun });
        },
        onTimeout(a) {
            const operator = 'is the PGO v4 operator running and watching this namespace? Once it is, run prepare again: it continues where it stopped';
            switch (a.kind) {
                case 'wait-scale-down':
                    return `replica ${a.deployment} is still there although pgtask ${a.deployment}-rmdata exists (kubectl get pgtask ${a.deployment}-rmdata -n ${namespace} -o yaml); ${operator}`;
                case 'wait-rmdata':
                    return `rmdata Job ${a.jobs.join(', ')} has not finished (kubectl get jobs -l pgrmdata=true -n ${namespace}); ${operator}`;
                case 'wait-v4-cleanup':
                    return `the v4 operator has not finished deleting ${cluster}: ${a.remaining.join(', ')} remain; ${operator}`;
                case 'wait-backup':
                    return `the backup Job backrest-backup-${cluster} has not succeeded (kubectl get pgtask backrest-backup-${cluster} -n ${namespace} -o yaml; kubectl get jobs -l backrest-command=backup -n ${namespace}); nothing was deleted; ${operator}`;
                default:
                    return operator;
            }
        },
    };
}
