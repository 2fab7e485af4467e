// Suppression comments: `# gradprobe: ignore[GP108]`, `# noqa: GP108` (a bare `# noqa` belongs to
// other linters), `# gradprobe: ignore-file[GP108]` near the top of the file; `//` in JS/TS.
import type { ModuleIR, Span } from '../ir/ir';
import type { Finding } from './types';

interface Directive {
  all: boolean;
  codes: Set<string>;
}

function parse(comment: string): Directive | undefined {
  const gp = /gradprobe:\s*ignore(?!-file)(?:\[([^\]]*)\])?/.exec(comment);
  if (gp) {
    const codes = (gp[1] ?? '').split(',').map((c) => c.trim().toUpperCase()).filter(Boolean);
    return { all: codes.length === 0, codes: new Set(codes) };
  }
  const noqa = /noqa:\s*([A-Z]+\d+(?:\s*,\s*[A-Z]+\d+)*)/i.exec(comment);
  if (noqa) {
    const codes = noqa[1].split(',').map((c) => c.trim().toUpperCase()).filter((c) => c.startsWith('GP'));
    return codes.length ? { all: false, codes: new Set(codes) } : undefined;
  }
  return undefined;
}

function fileDirective(ir: ModuleIR): Directive | undefined {
  const firstCode = ir.body[0]?.span.startLine ?? 0;
  const codes = new Set<string>();
  let all = false;
  for (const [line, comment] of ir.comments) {
    if (line > Math.max(firstCode, 30)) continue;
    const m = /gradprobe:\s*ignore-file(?:\[([^\]]*)\])?/.exec(comment);
    if (!m) continue;
    const list = (m[1] ?? '').split(',').map((c) => c.trim().toUpperCase()).filter(Boolean);
    if (list.length === 0) all = true;
    list.forEach((c) => codes.add(c));
  }
  return all || codes.size ? { all, codes } : undefined;
}

const silences = (d: Directive | undefined, code: string): boolean => !!d && (d.all || d.codes.has(code));

/** Drops suppressed findings. `signatureLines` maps a function name to its definition line(s). */
export function applySuppressions(findings: Finding[], ir: ModuleIR, signatureSpans: Map<string, Span>): Finding[] {
  const file = fileDirective(ir);
  return findings.filter((f) => {
    if (silences(file, f.code)) return false;
    for (let line = f.span.startLine; line <= f.span.endLine; line++) if (silences(parse(ir.comments.get(line) ?? ''), f.code)) return false;
    const sig = f.function ? signatureSpans.get(f.function) : undefined;
    if (sig && silences(parse(ir.comments.get(sig.startLine) ?? ''), f.code)) return false;
    return true;
  });
}
