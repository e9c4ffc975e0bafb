// A tiny command-line parser for the memtls command: --flag value, --flag=value, boolean flags,
// repeatable flags, `--` to end flags; anything unknown or malformed is a UsageError (exit 2).

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** Repeatable; values are collected in order (and comma lists are the caller's to split). */
  readonly multiple?: boolean;
  /** One-letter alias, e.g. 'h' for -h. */
  readonly short?: string;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export type FlagValues<S extends FlagSpecs> = {
  [K in keyof S]?: S[K]['type'] extends 'boolean'
    ? boolean
    : S[K]['multiple'] extends true
      ? string[]
      : string;
};

export interface ParsedArgs<S extends FlagSpecs> {
  readonly flags: FlagValues<S>;
  readonly positionals: string[];
}

/** Wrong usage of the command line: main prints the message and the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseArgs<S extends FlagSpecs>(argv: readonly string[], specs: S): ParsedArgs<S> {
  const flags: Record<string, string | string[] | boolean> = {};
  const positionals: string[] = [];
  const byShort = new Map(
    Object.entries(specs)
      .filter(([, spec]) => spec.short !== undefined)
      .map(([name, spec]) => [spec.short!, name]),
  );
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else {
      const alias = arg.length === 2 ? byShort.get(arg.slice(1)) : undefined;
      if (alias === undefined) throw new UsageError(`unknown option '${arg}'`);
      name = alias;
    }
    const spec = specs[name];
    if (spec === undefined || !Object.hasOwn(specs, name)) throw new UsageError(`unknown option '--${name}'`);
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`option '--${name}' takes no value`);
      flags[name] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new UsageError(`option '--${name}' needs a value`);
      }
      value = next;
      i++;
    }
    if (spec.multiple) {
      const list = (flags[name] as string[] | undefined) ?? [];
      list.push(value);
      flags[name] = list;
    } else {
      if (flags[name] !== undefined) throw new UsageError(`option '--${name}' given twice`);
      flags[name] = value;
    }
  }
  return { flags: flags as FlagValues<S>, positionals };
}

/** `value` must be one of `allowed` (case-sensitive); undefined passes through. */
export function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  flag: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, not '${value}'`);
  }
  return value as T;
}

/** A whole number ≥ 1; undefined passes through. */
export function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${flag} must be a whole number ≥ 1, not '${value}'`);
  }
  return Number(value);
}

/** Comma-separated values from one or more occurrences of a flag, trimmed, empties dropped. */
export function commaList(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/** An ISO-8601 date/time → ms since epoch. */
export function isoTime(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(`--${flag} must be an ISO-8601 time such as 2030-01-01T00:00:00Z, not '${value}'`);
  }
  return ms;
}
