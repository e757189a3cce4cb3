import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { textsFolder } from '../corpus/texts.js';
import type { CliIo } from './io.js';

/**
 * A mistake in the command line itself (unknown option, missing or malformed value, a path that does not
 * exist, a language the texts folder lacks): exit code 2, and the command's usage line is shown with it.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * One option of a command, declared once: how it is written, how `--help` documents it, and the zod schema
 * that turns its raw value (a string, `true`, or `undefined` when absent) into what the command uses.
 */
export interface Option<T> {
  kind: 'string' | 'boolean';
  /** Stands for the value in usage lines (DIR, FILE, N, LIST, NAME); empty for flags. */
  placeholder: string;
  description: string;
  /** Must be given: shown outside brackets in the usage line. */
  required: boolean;
  /** The default, as `--help` shows it. */
  defaultText?: string;
  schema: z.ZodType<T>;
}

/** A command's options by key; the key `seqLen` is written `--seq-len`. */
export type Options = Record<string, Option<unknown>>;

/** The validated values of a command's options, by key. */
export type Values<O extends Options> = { [K in keyof O]: O[K] extends Option<infer T> ? T : never };

/** `seqLen` → `--seq-len`. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** How an option is written in usage and help: `--seq-len N`, or `--json` for a flag. */
export function optionTerm(key: string, o: Option<unknown>): string {
  return o.placeholder === '' ? flagName(key) : `${flagName(key)} ${o.placeholder}`;
}

const wholeNumber = (min: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int('is too large').min(min, `must be at least ${min}`));

/** Builders for the kinds of option the commands take. */
export const option = {
  /** A required path to an existing folder or file. */
  path(kind: 'folder' | 'file', description: string): Option<string> {
    return {
      kind: 'string',
      placeholder: kind === 'folder' ? 'DIR' : 'FILE',
      description,
      required: true,
      schema: z.string().superRefine((path, ctx) => {
        if (!existsSync(path)) ctx.addIssue({ code: 'custom', message: `must name an existing ${kind}` });
        else if (statSync(path).isDirectory() !== (kind === 'folder')) ctx.addIssue({ code: 'custom', message: `must name a ${kind}` });
      }),
    };
  },

  /** A required texts folder: a path to an existing folder of `<lang>.txt`, or a built-in name (`udhr`). */
  texts(description: string): Option<string> {
    return {
      kind: 'string',
      placeholder: 'DIR',
      description: `${description}; or udhr, the built-in UDHR texts in 30 languages`,
      required: true,
      schema: z.string().superRefine((path, ctx) => {
        const dir = textsFolder(path);
        if (!existsSync(dir)) ctx.addIssue({ code: 'custom', message: 'must name an existing folder (or udhr)' });
        else if (!statSync(dir).isDirectory()) ctx.addIssue({ code: 'custom', message: 'must name a folder' });
      }),
    };
  },

  /** A required whole number of at least `min`. */
  count(placeholder: string, description: string, min: number): Option<number> {
    return { kind: 'string', placeholder, description, required: true, schema: wholeNumber(min) };
  },

  /** A required comma-separated list whose items `item` validates (`itemsAre` names them in errors). */
  list<T>(placeholder: string, description: string, item: z.ZodType<T, string>, itemsAre: string): Option<T[]> {
    return {
      kind: 'string',
      placeholder,
      description,
      required: true,
      schema: z.string().transform((text, ctx) => {
        const items: T[] = [];
        for (const piece of text.split(',').map((s) => s.trim())) {
          const parsed = item.safeParse(piece);
          if (!parsed.success) {
            ctx.addIssue({ code: 'custom', message: `must be a comma-separated list of ${itemsAre} (${JSON.stringify(piece)} is not one)` });
            return z.NEVER;
          }
          items.push(parsed.data);
        }
        return items;
      }),
    };
  },

  /** One of `values` (required; wrap in {@link optional} to make it optional). */
  choice<V extends string>(placeholder: string, description: string, values: readonly [V, ...V[]]): Option<V> {
    return {
      kind: 'string',
      placeholder,
      description: `${description}: ${values.join(', ')}`,
      required: true,
      schema: z.enum(values, { error: `must be one of ${values.join(', ')}` }),
    };
  },

  /** A required decimal number (`0.05`, `1e-3`, `1000`) within the bounds given (`gt`/`lt` exclusive). */
  decimal(placeholder: string, description: string, bounds: { min?: number; max?: number; gt?: number; lt?: number } = {}): Option<number> {
    let n = z.number();
    if (bounds.min !== undefined) n = n.min(bounds.min, `must be at least ${bounds.min}`);
    if (bounds.max !== undefined) n = n.max(bounds.max, `must be at most ${bounds.max}`);
    if (bounds.gt !== undefined) n = n.gt(bounds.gt, `must be greater than ${bounds.gt}`);
    if (bounds.lt !== undefined) n = n.lt(bounds.lt, `must be less than ${bounds.lt}`);
    return {
      kind: 'string',
      placeholder,
      description,
      required: true,
      schema: z
        .string()
        .regex(/^(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/, 'must be a decimal number such as 0.05')
        .transform(Number)
        .pipe(n),
    };
  },

  /** A required comma-separated list of language codes (`en,zh`); duplicates are dropped. */
  languages(description: string): Option<string[]> {
    const list = option.list('LIST', description, z.string().regex(/^[\w-]+$/), 'language codes like en,zh');
    return { ...list, schema: list.schema.transform((codes) => [...new Set(codes)]) };
  },

  /** A required comma-separated list of at least `min` existing files. */
  files(description: string, min: number): Option<string[]> {
    return {
      kind: 'string',
      placeholder: 'LIST',
      description: `${description} (comma-separated)`,
      required: true,
      schema: z.string().transform((text, ctx) => {
        const files = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
        for (const file of files) {
          if (!existsSync(file) || !statSync(file).isFile()) {
            ctx.addIssue({ code: 'custom', message: `must name existing files (${JSON.stringify(file)} is not one)` });
            return z.NEVER;
          }
        }
        if (files.length < min) {
          ctx.addIssue({ code: 'custom', message: `must name at least ${min} files` });
          return z.NEVER;
        }
        return files;
      }),
    };
  },

  /** A required path to write to (a file, or a folder with placeholder DIR); created when missing. */
  output(placeholder: 'FILE' | 'DIR', description: string): Option<string> {
    const what = placeholder === 'DIR' ? 'folder' : 'file';
    return { kind: 'string', placeholder, description, required: true, schema: z.string().min(1, `must name a ${what}`) };
  },

  /** A switch without a value. */
  flag(description: string): Option<boolean> {
    return { kind: 'boolean', placeholder: '', description, required: false, schema: z.boolean().default(false) };
  },
};

/** The same option, but it may be left out (its value is then undefined; `defaultText` says what that means). */
export function optional<T>(required: Option<T>, defaultText: string): Option<T | undefined> {
  return { ...required, required: false, defaultText, schema: required.schema.optional() };
}

/** The same option, but it may be left out, meaning `value`. */
export function withDefault<T>(required: Option<T>, value: T): Option<T> {
  return {
    ...required,
    required: false,
    defaultText: String(value),
    schema: required.schema.optional().transform((given) => given ?? value),
  };
}

/** Rewords node's parseArgs errors as one short line. */
function parseArgsMessage(err: unknown): string {
  const { code, message } = err as { code?: string; message: string };
  const name = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${name}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${JSON.stringify(/'([^']*)'/.exec(message)?.[1] ?? '')} (every value follows its --option)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return message.includes('does not take an argument')
        ? `${name} takes no value`
        : `${name} needs a value (for a value starting with "-", write ${name}=VALUE)`;
    default:
      return message.split('\n')[0]!;
  }
}

/**
 * Parses a command's arguments (node's `util.parseArgs`, strict: no unknown options, no positionals) and
 * validates each option with its schema.
 * @throws UsageError naming the option, what it must be, and what was given.
 */
export function parseOptions<O extends Options>(options: O, argv: readonly string[]): Values<O> {
  let raw: Record<string, string | boolean | undefined>;
  try {
    const config = Object.fromEntries(Object.entries(options).map(([key, o]) => [flagName(key).slice(2), { type: o.kind }]));
    const parsed = parseArgs({ args: [...argv], options: config, strict: true, allowPositionals: false, tokens: true });
    raw = parsed.values;
    // parseArgs keeps the last of a repeated option; silently dropping the first is a surprise, so say it.
    const seen = new Set<string>();
    for (const token of parsed.tokens) {
      if (token.kind !== 'option') continue;
      if (seen.has(token.name)) throw new UsageError(`--${token.name} is given twice (a list is comma-separated: --${token.name} a,b)`);
      seen.add(token.name);
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(parseArgsMessage(err));
  }
  const values: Record<string, unknown> = {};
  for (const [key, o] of Object.entries(options)) {
    const value = raw[flagName(key).slice(2)];
    const parsed = o.schema.safeParse(value);
    if (!parsed.success) {
      const flag = flagName(key);
      if (value === undefined) throw new UsageError(`${flag} ${o.placeholder} is required`);
      throw new UsageError(`${flag} ${parsed.error.issues[0]!.message} (got ${JSON.stringify(value)})`);
    }
    values[key] = parsed.data;
  }
  return values as Values<O>;
}

/** Everything `main` needs of a command. */
export interface Command {
  name: string;
  /** One line for `regions --help`. */
  summary: string;
  /** `regions <name> --checkpoint DIR …`, every option listed. */
  usage: string;
  /** The text of `regions <name> --help`. */
  help: string;
  /** Parses `argv` (the arguments after the command name) and runs the command. */
  execute(argv: readonly string[], io: CliIo): Promise<void>;
}

/** A command as its file declares it: its options in one place, and what it does with their values. */
export interface CommandSpec<O extends Options> {
  name: string;
  summary: string;
  /** A paragraph for `--help`: what is measured, and how. */
  description: string;
  options: O;
  run(values: Values<O>, io: CliIo): Promise<void>;
}

const WIDTH = 100;

/** Joins words into lines of at most `width` characters, continuation lines indented by `indent`. */
export function wrap(words: readonly string[], width: number, indent: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = ' '.repeat(indent) + word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join('\n');
}

function usageLine(spec: CommandSpec<Options>): string {
  const terms = Object.entries(spec.options).map(([key, o]) => (o.required ? optionTerm(key, o) : `[${optionTerm(key, o)}]`));
  const head = `regions ${spec.name}`;
  return wrap([head, ...terms], WIDTH, head.length + 'Usage: '.length + 1);
}

function helpText(spec: CommandSpec<Options>, usage: string): string {
  const rows = Object.entries(spec.options).map(([key, o]) => {
    const notes = o.required ? ' (required)' : o.defaultText === undefined ? '' : ` (default: ${o.defaultText})`;
    return [optionTerm(key, o), o.description + notes] as const;
  });
  rows.push(['-h, --help', 'show this help']);
  const left = Math.max(...rows.map(([term]) => term.length)) + 2;
  const lines = rows.map(([term, text]) => {
    const [first, ...rest] = text.split(' ');
    return wrap([`  ${term.padEnd(left)}${first}`, ...rest], WIDTH, left + 2);
  });
  return [
    `Usage: ${usage}`,
    '',
    wrap(spec.description.split(/\s+/), WIDTH, 0),
    '',
    'Options:',
    ...lines,
    '',
  ].join('\n');
}

/** Turns a command's declaration into a {@link Command}: usage, help and validation all come from `options`. */
export function defineCommand<O extends Options>(spec: CommandSpec<O>): Command {
  const usage = usageLine(spec);
  return {
    name: spec.name,
    summary: spec.summary,
    usage,
    help: helpText(spec, usage),
    execute: async (argv, io) => spec.run(parseOptions(spec.options, argv), io),
  };
}
