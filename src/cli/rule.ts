// `gradprobe rule CODE`: a rule's page (docs/rules, bundled at build time); `--all`: the catalog.
import { rulePages } from 'gradprobe:rule-pages';
import { codesSelectedBy, knownCodesText, normalizeSelector } from '../core/findings/codes';
import { ruleCatalog } from '../core/findings/rules';
import { helpText, parseCommand, type CommandSpec } from './args';
import { UsageError } from './usage';

export const ruleCommand: CommandSpec = {
  name: 'rule',
  summary: "print a finding code's page: what it means, why it stops learning, an example, the fix, how to silence it",
  usage: ['rule CODE', 'rule --all'],
  details: [
    'CODE is a finding code such as GP303 (case does not matter). A prefix (GP1, GP21) lists the codes it selects.',
  ],
  options: {
    all: { type: 'boolean', help: 'List every code with its default severity, name and meaning.' },
    help: { type: 'boolean', short: 'h', help: 'Print this help.' },
  },
  footer: ['Exit status: 0, or 2 for an unknown code.'],
};

function catalogLines(codes: readonly string[]): string {
  const rules = ruleCatalog.filter((r) => codes.includes(r.code));
  const slug = Math.max(...rules.map((r) => r.slug.length));
  return `${rules.map((r) => `${r.code}  ${r.severity.padEnd(7)}  ${r.slug.padEnd(slug)}  ${r.meaning}`).join('\n')}\n`;
}

export function runRule(argv: string[]): number {
  const { values, positionals, help } = parseCommand(ruleCommand, argv);
  if (help) {
    process.stdout.write(helpText(ruleCommand));
    return 0;
  }
  if (values.all === true) {
    if (positionals.length) throw new UsageError('rule --all takes no CODE');
    process.stdout.write(catalogLines(ruleCatalog.map((r) => r.code)));
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("rule needs one CODE, e.g. 'gradprobe rule GP303' (or --all)");
  const code = normalizeSelector(positionals[0]);
  const page = rulePages[code];
  if (page !== undefined) {
    process.stdout.write(page.endsWith('\n') ? page : `${page}\n`);
    return 0;
  }
  const selected = codesSelectedBy(code);
  if (selected.length) {
    process.stdout.write(catalogLines(selected));
    return 0;
  }
  throw new UsageError(`unknown code ${JSON.stringify(positionals[0])}: known codes are ${knownCodesText()}`);
}
