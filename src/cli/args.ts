// Options are declared once, with their help: node's util.parseArgs reads the same objects the help
// text is printed from, so no option can be accepted without being explained.
import { parseArgs } from 'node:util';
import { UsageError } from './usage';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in the help (`--format FORMAT`); string options only. */
  value?: string;
  /** What it does, its values and its default: one or more sentences. */
  help: string;
}

export interface CommandSpec {
  name: string;
  /** One line: what the command does. */
  summary: string;
  /** Usage lines, without the leading `gradprobe `. */
  usage: string[];
  /** Paragraphs after the usage (positional arguments, behaviour). */
  details: string[];
  options: Record<string, OptionSpec>;
  /** Paragraphs after the options (exit codes, examples). */
  footer: string[];
}

const width = 100;

/** Greedy word wrap; `indent` starts every line after the first. */
function wrap(text: string, firstWidth: number, indent: number): string {
  const lines: string[] = [];
  let line = '';
  let limit = firstWidth;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > limit) {
      lines.push(line);
      line = word;
      limit = width - indent;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

function paragraph(text: string): string {
  // Lines starting with two spaces are examples: kept as written.
  return text.split('\n').map((l) => (l.startsWith('  ') ? l : wrap(l, width, 0))).join('\n');
}

export function optionLabel(name: string, spec: OptionSpec): string {
  const short = spec.short ? `-${spec.short}, ` : '';
  return `${short}--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
}

export function helpText(cmd: CommandSpec): string {
  const out: string[] = [`gradprobe ${cmd.name}: ${cmd.summary}`, '', `Usage: ${cmd.usage.map((u, i) => `${i ? '       ' : ''}gradprobe ${u}`).join('\n')}`];
  for (const d of cmd.details) out.push('', paragraph(d));
  const labels = Object.entries(cmd.options).map(([name, spec]) => optionLabel(name, spec));
  const column = Math.min(28, Math.max(...labels.map((l) => l.length)) + 4);
  out.push('', 'Options:');
  Object.entries(cmd.options).forEach(([name, spec], i) => {
    const label = `  ${labels[i]}`;
    const pad = label.length + 2 <= column ? label.padEnd(column) : `${label}\n${' '.repeat(column)}`;
    out.push(`${pad}${wrap(spec.help, width - column, column)}`);
  });
  for (const f of cmd.footer) out.push('', paragraph(f));
  return `${out.join('\n')}\n`;
}

export type ParsedValues = Record<string, string | boolean | string[] | undefined>;

/**
 * Parses one command's arguments. `--help`/`-h` anywhere wins (the caller prints the help); an
 * unknown option or a missing value is a usage error that points at the help.
 */
export function parseCommand(cmd: CommandSpec, argv: string[]): { values: ParsedValues; positionals: string[]; help: boolean } {
  if (argv.includes('--help') || argv.includes('-h')) return { values: {}, positionals: [], help: true };
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(cmd.options)) {
    options[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) };
  }
  try {
    const parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: parsed.values as ParsedValues, positionals: parsed.positionals, help: false };
  } catch (err) {
    // node's messages are long and suggest `--` tricks; the first sentence is what matters.
    const message = (err instanceof Error ? err.message : String(err)).split('. ')[0].replace(/\.$/, '');
    throw new UsageError(`${message} (see 'gradprobe ${cmd.name} --help')`);
  }
}

/** A string option's value (the last one when given twice). */
export function stringValue(values: ParsedValues, name: string): string | undefined {
  const v = values[name];
  if (Array.isArray(v)) return v[v.length - 1];
  return typeof v === 'string' ? v : undefined;
}

export function listValue(values: ParsedValues, name: string): string[] | undefined {
  const v = values[name];
  if (v === undefined || typeof v === 'boolean') return undefined;
  return Array.isArray(v) ? v : [v];
}
