/**
 * Option parsing shared by `npm run train`, `evaluate` and `tune`: `--name value` pairs (some
 * repeatable), plain flags, and checked values. Any problem prints the message and the usage and
 * exits 2.
 */
export interface OptionSpec {
  /** Options that take a value; the repeatable ones may be given more than once. */
  values: readonly string[];
  repeatable?: readonly string[];
  flags?: readonly string[];
}

export interface Options {
  value(name: string): string | undefined;
  all(name: string): string[];
  has(flag: string): boolean;
  /** A number strictly between 0 and 1 (a split fraction), or undefined when absent. */
  fraction(name: string): number | undefined;
  fail(message: string): never;
}

export function parseOptions(args: readonly string[], spec: OptionSpec, usage: string): Options {
  const fail = (message: string): never => {
    console.error(`${message}\n${usage}`);
    process.exit(2);
  };
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const name = args[i]!;
    if (spec.flags?.includes(name)) {
      flags.add(name);
      continue;
    }
    if (!spec.values.includes(name)) fail(`unknown option ${name}`);
    const value = args[++i];
    if (value === undefined) fail(`${name} needs a value`);
    const list = values.get(name) ?? [];
    if (list.length > 0 && !spec.repeatable?.includes(name)) fail(`${name} given twice`);
    values.set(name, [...list, value!]);
  }
  const value = (name: string) => values.get(name)?.[0];
  return {
    value,
    all: (name) => values.get(name) ?? [],
    has: (flag) => flags.has(flag),
    fraction(name) {
      const text = value(name);
      if (text === undefined) return undefined;
      const number = Number(text);
      return number > 0 && number < 1
        ? number
        : fail(`${name}: expected a fraction between 0 and 1, got ${JSON.stringify(text)}`);
    },
    fail,
  };
}
