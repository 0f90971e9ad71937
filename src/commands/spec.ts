import type { ArgumentsCamelCase, Argv, CommandModule, InferredOptionTypes, Options, PositionalOptions } from 'yargs';
import type { FlagModel, NameSources } from '../completion.js';
import type { Io } from '../io.js';
import type { CommandName } from '../rbac.js';
import type { Connection } from './connect.js';
import { globalFlags, type GlobalFlags } from './global.js';

/** What a command's `run` gets besides its arguments: the I/O, and the cluster connection, made on first use. */
export interface Context {
    io: Io;
    /** Reads the kubeconfig and makes the client; a command that fails validation never calls it. */
    connect(): Connection;
}

/** A command's arguments as `run` and `validate` see them: typed from the declaration, camelCase. */
export type ArgsOf<F extends Record<string, Options>, P extends Record<string, PositionalOptions>> = ArgumentsCamelCase<
    GlobalFlags & InferredOptionTypes<F> & InferredOptionTypes<P>
>;

/**
 * A command as data: its usage, flags, positionals, examples and permissions, a `validate` that runs before any
 * connection (throw a UsageError: exit 2), and `run`. yargs, `--help` and completion are all made from it
 * (after cloudflare/workers-sdk's createCommand, and kubectl's Complete → Validate → Run).
 */
export interface CommandSpec<F extends Record<string, Options>, P extends Record<string, PositionalOptions>> {
    /** yargs usage: `prepare <cluster>` (required) or `inspect [cluster]` (optional). */
    usage: string;
    describe: string;
    positionals: P;
    flags: F;
    examples: [command: string, meaning: string][];
    /** The command whose RBAC requirements end its --help. */
    permissions?: CommandName;
    epilogue?: string;
    /** What completion offers for the positional, and for flags that take a name from the cluster. */
    completes?: { positional?: keyof NameSources; flags?: Record<string, keyof NameSources> };
    validate?(args: ArgsOf<F, P>): void;
    run(args: ArgsOf<F, P>, ctx: Context): Promise<void>;
}

/** Declares a command; the types of its arguments are inferred from its flags and positionals. */
export function defineCommand<F extends Record<string, Options>, P extends Record<string, PositionalOptions>>(spec: CommandSpec<F, P>): CommandSpec<F, P> {
    return spec;
}

/** Any command: the specs' own argument types are checked where they are declared, and erased to list them together. */
export type AnyCommandSpec = CommandSpec<Record<string, Options>, Record<string, PositionalOptions>>;

export function commandName(spec: AnyCommandSpec): string {
    return spec.usage.split(' ')[0] ?? spec.usage;
}

/**
 * The yargs command for a spec: the one place where yargs meets the declarations. yargs cannot carry types
 * through a list of specs, so the builder's result and the handler's arguments are asserted here, once; each
 * spec's own `run` and `validate` are typed from its declaration.
 */
export function toYargs(spec: AnyCommandSpec, io: Io): CommandModule<GlobalFlags, GlobalFlags> {
    return {
        command: spec.usage,
        describe: spec.describe,
        // Only what parsing needs: help is help.ts's, from the spec, so yargs gets no examples or epilogue (it
        // would render its own help text on every run to cache it).
        builder: (y: Argv<GlobalFlags>) => {
            const positioned = Object.entries(spec.positionals).reduce((b, [name, options]) => b.positional(name, options), y);
            const declared = positioned.options(spec.flags) as unknown as Argv<GlobalFlags>;
            return spec.validate
                ? declared.check((args) => {
                      spec.validate?.(args as ArgsOf<Record<string, Options>, Record<string, PositionalOptions>>);
                      return true;
                  })
                : declared;
        },
        handler: async (args) => {
            const { connect } = await import('./connect.js');
            let connection: Connection | undefined;
            const typed = args as ArgsOf<Record<string, Options>, Record<string, PositionalOptions>>;
            await spec.run(typed, { io, connect: () => (connection ??= connect(typed, io)) });
        },
    };
}

/** A flag as completion sees it. */
function flagModel(name: string, o: Options, from?: keyof NameSources): FlagModel {
    const aliases = [o.alias ?? []].flat().map((a) => (a.length === 1 ? `-${a}` : `--${a}`));
    const choices = Array.isArray(o.choices) ? o.choices.map(String) : [];
    return { names: [`--${name}`, ...aliases], choices, boolean: o.type === 'boolean', ...(from ? { from } : {}) };
}

/** The flags of the root: the global ones, and help and version. */
export function rootFlagModels(): FlagModel[] {
    return [
        ...Object.entries(globalFlags).map(([name, o]) => flagModel(name, o)),
        { names: ['--help', '-h'], choices: [], boolean: true },
        { names: ['--version'], choices: [], boolean: true },
    ];
}

/** A command's flags (its own, then the global ones) as completion sees them. */
export function flagModels(spec: AnyCommandSpec): FlagModel[] {
    const own = Object.entries(spec.flags).map(([name, o]) => flagModel(name, o, spec.completes?.flags?.[name]));
    return [...own, ...rootFlagModels()];
}
