import fs from 'node:fs';
import { load, YAMLException } from 'js-yaml';
import { ExitCode, UsageError, UserError } from '../errors.js';
import { apiVersionOf, FLAVORS, type Flavor } from '../targets/flavors.js';
import { cannotRunVanillaData } from '../v4/verdicts.js';
import type { V5Cluster } from './cluster.js';
import { SOURCE_ANNOTATION } from './manifest.js';

/** `-f FILE`, or `-f -` read from the command's standard input (the Io's, so tests and pipes behave alike). */
async function readManifest(file: string, stdin: NodeJS.ReadableStream): Promise<V5Cluster> {
    const text = file === '-' ? await readAll(stdin) : readFile(file);
    const where = file === '-' ? 'stdin' : file;
    let doc: V5Cluster | undefined;
    try {
        doc = load(text) as V5Cluster | undefined;
    } catch (e) {
        if (!(e instanceof YAMLException)) throw e;
        throw new UsageError(`${where}:${e.mark.line + 1}:${e.mark.column + 1} is not valid YAML (${e.reason}) (-f)`);
    }
    if (!doc || typeof doc !== 'object' || !doc.metadata?.name) throw new UsageError(`${where} holds no Kubernetes object with a metadata.name (-f)`);
    return doc;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
    let text = '';
    for await (const chunk of stream) text += chunk.toString();
    return text;
}

function readFile(file: string): string {
    try {
        return fs.readFileSync(file, 'utf8');
    } catch {
        throw new UsageError(`cannot read manifest file "${file}" (-f)`);
    }
}

function flavorOf(m: V5Cluster): Flavor {
    const f = Object.values(FLAVORS).find((x) => apiVersionOf(x) === m.apiVersion && x.kind === m.kind);
    if (!f) throw new UserError(`the manifest is a ${m.apiVersion}/${m.kind}: apply takes an IvoryCluster or a PostgresCluster`);
    return f;
}

/**
 * A manifest given to `apply -f` (a file, or - for stdin): read and checked before any connection. Bad YAML,
 * a namespace or v4 cluster that disagrees with the flags are usage errors; an IvoryCluster taking v4 data is
 * refused.
 */
export async function manifestFromFile(
    filename: string,
    stdin: NodeJS.ReadableStream,
    flags: { namespace?: string; cluster?: string },
): Promise<{ manifest: V5Cluster; flavor: Flavor }> {
    const manifest = await readManifest(filename, stdin);
    const flavor = flavorOf(manifest);
    const declared = manifest.metadata.namespace;
    if (declared && flags.namespace && declared !== flags.namespace) {
        throw new UsageError(`the manifest names namespace ${declared}, and -n says ${flags.namespace}: make them agree`);
    }
    const dataSource = manifest.spec?.dataSource ?? {};
    const fromV4 = dataSource.volumes !== undefined || dataSource[flavor.dataSourceKey] !== undefined;
    if (fromV4 && !flavor.runsVanillaData) {
        throw new UserError(`apply -f ${filename} refused: target-cannot-run-v4-data: ${cannotRunVanillaData(flavor)}`, ExitCode.Refused);
    }
    const source = manifest.metadata.annotations?.[SOURCE_ANNOTATION];
    if (source && flags.cluster && source !== flags.cluster) {
        throw new UsageError(`the manifest was generated from v4 cluster ${source}, and the command names ${flags.cluster}: make them agree`);
    }
    return { manifest, flavor };
}
