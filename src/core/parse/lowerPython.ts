// Lowers a tree-sitter Python tree to the IR. Anything outside the subset becomes an
// `unsupported` node carrying its construct and range, so the evaluator can name it (GP001).
import type { SyntaxNode } from './treeSitter';
import type { Arg, BinaryOp, ClassDef, CompareOp, Expr, FunctionDef, ModuleIR, Param, Span, Stmt } from '../ir/ir';
import { field, firstError, named, spanOf } from './syntax';





const comprehensions = new Set(['list_comprehension', 'generator_expression', 'set_comprehension', 'dictionary_comprehension']);

/**
 * Whether a `:=` runs exactly once each time its statement runs, with nothing evaluated before it in that
 * statement reading the name: then lifting it to an assignment before the statement changes nothing.
 * Not so in a lambda or comprehension (own scope, repeated), a short-circuited operand, a conditional
 * branch, a later link of a comparison chain, an `elif` or `while` condition.
 */
function walrusHoistable(node: SyntaxNode, target: string): boolean {
  let child = node;
  let parent = node.parent;
  while (parent && parent.type !== 'block' && parent.type !== 'module') {
    if (parent.type === 'lambda' || comprehensions.has(parent.type)) return false;
    if (parent.type === 'elif_clause' || parent.type === 'while_statement') return false;
    const operands = named(parent).filter((c) => c.type !== 'comment');
    const at = operands.findIndex((c) => c.startIndex === child.startIndex && c.endIndex === child.endIndex);
    if (parent.type === 'boolean_operator' && at > 0) return false;
    if (parent.type === 'conditional_expression' && at !== 1) return false;
    if (parent.type === 'comparison_operator' && at > 1) return false;
    child = parent;
    parent = parent.parent;
  }
  return !readsBefore(child, target, node.startIndex);
}

/** Whether `name` occurs as an identifier in `node` before the source offset `before`. */
function readsBefore(node: SyntaxNode, name: string, before: number): boolean {
  if (node.startIndex >= before) return false;
  if (node.type === 'identifier') return node.text === name;
  if (node.type === 'block') return false;
  return named(node).some((c) => readsBefore(c, name, before));
}

function stringValue(node: SyntaxNode): string {
  if (node.type === 'concatenated_string') return named(node).map(stringValue).join('');
  return named(node).filter((c) => c.type === 'string_content').map((c) => c.text).join('');
}

function unescape(text: string): string {
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
  return simple[text.slice(1)] ?? text;
}

const binaryOps = new Set<BinaryOp>(['+', '-', '*', '/', '//', '%', '**', '@', '&', '|', '^', '<<', '>>']);

export class PythonLowering {
  readonly comments = new Map<number, string>();
  readonly syntaxErrors: Span[] = [];
  /** Assignments lifted out of `:=` in the statement being lowered; they run just before it. */
  private hoisted: Stmt[] = [];

  lowerModule(root: SyntaxNode, lineCount: number): ModuleIR {
    this.collectComments(root);
    if (root.hasError) this.collectErrors(root);
    return { language: 'python', body: this.block(root), comments: this.comments, syntaxErrors: this.syntaxErrors, lineCount };
  }

  private collectComments(node: SyntaxNode): void {
    for (const child of node.children) {
      if (!child) continue;
      if (child.type === 'comment') {
        const line = child.startPosition.row;
        this.comments.set(line, (this.comments.get(line) ?? '') + child.text);
      } else if (child.childCount > 0) this.collectComments(child);
    }
  }

  private collectErrors(node: SyntaxNode): void {
    if (node.isError || node.isMissing) {
      this.syntaxErrors.push(spanOf(node));
      return;
    }
    for (const child of node.children) if (child?.hasError || child?.isMissing) this.collectErrors(child);
  }

  block(node: SyntaxNode): Stmt[] {
    const out: Stmt[] = [];
    for (const child of named(node)) {
      if (child.type === 'ERROR') {
        // Keep what tree-sitter could still recognise inside the broken region.
        out.push(...this.block(child).filter((s) => s.kind === 'function' || s.kind === 'class' || s.kind === 'import' || s.kind === 'assign'));
        continue;
      }
      const outer = this.hoisted;
      this.hoisted = [];
      const stmt = this.statement(child);
      const lifted = this.hoisted;
      this.hoisted = outer;
      if (stmt) out.push(...lifted, stmt);
    }
    return out;
  }

  private statement(node: SyntaxNode): Stmt | undefined {
    const span = spanOf(node);
    switch (node.type) {
      case 'expression_statement': {
        const inner = named(node);
        if (inner.length === 1 && (inner[0].type === 'assignment' || inner[0].type === 'augmented_assignment')) return this.statement(inner[0]);
        if (inner.length === 1) return { kind: 'expr', expr: this.expr(inner[0]), span };
        return { kind: 'expr', expr: { kind: 'tuple', items: inner.map((c) => this.expr(c)), span }, span };
      }
      case 'assignment': {
        const targets: Expr[] = [];
        let current: SyntaxNode | undefined = node;
        // a = b = value nests as assignment(left=a, right=assignment(left=b, right=value))
        while (current && current.type === 'assignment') {
          const left = field(current, 'left');
          const right = field(current, 'right');
          if (left) targets.push(this.expr(left));
          // An annotation without a value (`x: int`) declares a name: a dataclass field.
          if (!right) return { kind: 'pass', declares: left?.type === 'identifier' ? left.text : undefined, span };
          current = right.type === 'assignment' ? right : undefined;
          if (!current) return { kind: 'assign', targets, value: this.expr(right), span };
        }
        return { kind: 'pass', span };
      }
      case 'augmented_assignment': {
        const op = field(node, 'operator')?.text.slice(0, -1) as BinaryOp;
        return { kind: 'augassign', target: this.expr(field(node, 'left')!), op, value: this.expr(field(node, 'right')!), span };
      }
      case 'return_statement': {
        const inner = named(node);
        return { kind: 'return', value: inner.length ? this.expr(inner[0]) : undefined, span };
      }
      case 'if_statement': return this.ifStatement(node);
      case 'for_statement':
        return { kind: 'for', target: this.expr(field(node, 'left')!), iter: this.expr(field(node, 'right')!), body: this.block(field(node, 'body')!), span };
      case 'while_statement':
        return { kind: 'while', test: this.expr(field(node, 'condition')!), body: this.block(field(node, 'body')!), span };
      case 'with_statement': {
        const clause = named(node).find((c) => c.type === 'with_clause');
        const items = (clause ? named(clause) : []).filter((c) => c.type === 'with_item').map((item) => {
          const value = field(item, 'value') ?? named(item)[0];
          if (value?.type === 'as_pattern') {
            const parts = named(value);
            const alias = parts.find((p) => p.type === 'as_pattern_target');
            return { context: this.expr(parts[0]), target: alias ? this.expr(named(alias)[0] ?? alias) : undefined };
          }
          return { context: this.expr(value!) };
        });
        return { kind: 'with', items, body: this.block(field(node, 'body')!), span };
      }
      case 'try_statement': {
        const body = this.block(field(node, 'body')!);
        const handlers: Stmt[][] = [];
        const handlerTypes: (Expr | undefined)[] = [];
        const handlerNames: (string | undefined)[] = [];
        let finalbody: Stmt[] = [];
        for (const c of named(node)) {
          if (c.type === 'except_clause' || c.type === 'except_group_clause') {
            const blk = named(c).find((x) => x.type === 'block');
            handlers.push(blk ? this.block(blk) : []);
            // `except E:`, `except (A, B) as e:`, or a bare `except:`
            const clause = named(c).find((x) => x.type !== 'block');
            if (clause?.type === 'as_pattern') {
              const parts = named(clause);
              const alias = parts.find((p) => p.type === 'as_pattern_target');
              handlerTypes.push(this.expr(parts[0]));
              handlerNames.push(alias ? (named(alias)[0] ?? alias).text : undefined);
            } else {
              handlerTypes.push(clause ? this.expr(clause) : undefined);
              handlerNames.push(undefined);
            }
          } else if (c.type === 'finally_clause') {
            const blk = named(c).find((x) => x.type === 'block');
            finalbody = blk ? this.block(blk) : [];
          } else if (c.type === 'else_clause') {
            const blk = field(c, 'body');
            if (blk) body.push(...this.block(blk));
          }
        }
        return { kind: 'try', body, handlers, finalbody, handlerTypes, handlerNames, span };
      }
      case 'function_definition': return { kind: 'function', fn: this.functionDef(node, []), span };
      case 'class_definition': return { kind: 'class', cls: this.classDef(node, []), span };
      case 'decorated_definition': {
        const decorators = named(node).filter((c) => c.type === 'decorator').map((d) => this.expr(named(d)[0]));
        const def = field(node, 'definition')!;
        if (def.type === 'class_definition') return { kind: 'class', cls: this.classDef(def, decorators, node), span };
        return { kind: 'function', fn: this.functionDef(def, decorators, node), span };
      }
      case 'import_statement': {
        // import a.b as c, d
        const out: Stmt[] = [];
        for (const c of named(node)) {
          if (c.type === 'dotted_name') out.push({ kind: 'import', module: c.text, names: [], alias: c.text.split('.')[0], span });
          else if (c.type === 'aliased_import') out.push({ kind: 'import', module: field(c, 'name')!.text, names: [], alias: field(c, 'alias')!.text, span });
        }
        if (out.length === 1) return out[0];
        // `import a, b`: several bindings; represent as a try-less block of imports
        return { kind: 'if', test: { kind: 'bool', value: true, span }, body: out, orelse: [], span };
      }
      case 'import_from_statement': {
        const moduleNode = field(node, 'module_name');
        const module = moduleNode?.text ?? '';
        const names: { name: string; alias: string }[] = [];
        for (const c of node.childrenForFieldName('name')) {
          if (!c) continue;
          if (c.type === 'aliased_import') names.push({ name: field(c, 'name')!.text, alias: field(c, 'alias')!.text });
          else names.push({ name: c.text, alias: c.text.split('.').pop()! });
        }
        if (named(node).some((c) => c.type === 'wildcard_import')) names.push({ name: '*', alias: '*' });
        return { kind: 'import', module, names, span };
      }
      case 'future_import_statement': return { kind: 'pass', span };
      case 'pass_statement': return { kind: 'pass', span };
      case 'break_statement': return { kind: 'break', span };
      case 'continue_statement': return { kind: 'continue', span };
      case 'raise_statement': {
        const inner = named(node);
        return { kind: 'raise', exc: inner.length ? this.expr(inner[0]) : undefined, span };
      }
      case 'assert_statement': {
        const inner = named(node);
        return { kind: 'assert', test: this.expr(inner[0]), msg: inner[1] ? this.expr(inner[1]) : undefined, span };
      }
      case 'global_statement':
      case 'nonlocal_statement':
      case 'delete_statement':
      case 'type_alias_statement':
        return { kind: 'pass', span };
      case 'print_statement': return { kind: 'pass', span };
      default:
        return { kind: 'unsupported', construct: node.type === 'ERROR' ? 'syntax error' : `${node.type.replace(/_/g, ' ')}`, span };
    }
  }

  private ifStatement(node: SyntaxNode): Stmt {
    const span = spanOf(node);
    const test = this.expr(field(node, 'condition')!);
    const body = this.block(field(node, 'consequence')!);
    const alternatives = node.childrenForFieldName('alternative').filter((c): c is SyntaxNode => c !== null);
    let orelse: Stmt[] = [];
    for (let i = alternatives.length - 1; i >= 0; i--) {
      const alt = alternatives[i];
      if (alt.type === 'else_clause') orelse = this.block(field(alt, 'body')!);
      else orelse = [{ kind: 'if', test: this.expr(field(alt, 'condition')!), body: this.block(field(alt, 'consequence')!), orelse, span: spanOf(alt) }];
    }
    return { kind: 'if', test, body, orelse, span };
  }

  private docstring(body: SyntaxNode | undefined): string | undefined {
    const first = body ? named(body)[0] : undefined;
    if (first?.type === 'expression_statement') {
      const s = named(first)[0];
      if (s?.type === 'string') return stringValue(s);
    }
    return undefined;
  }

  functionDef(node: SyntaxNode, decorators: Expr[], outer?: SyntaxNode): FunctionDef {
    const nameNode = field(node, 'name')!;
    const body = field(node, 'body');
    const returns = field(node, 'return_type')?.text;
    return {
      name: nameNode.text,
      params: this.params(field(node, 'parameters')),
      ...(returns ? { returns } : {}),
      body: body ? this.block(body) : [],
      decorators,
      span: spanOf(outer ?? node),
      nameSpan: spanOf(nameNode),
      docstring: this.docstring(body),
      syntaxError: firstError(node),
      isStatic: decorators.some((d) => d.kind === 'name' && d.id === 'staticmethod'),
    };
  }

  private classDef(node: SyntaxNode, decorators: Expr[], outer?: SyntaxNode): ClassDef {
    const nameNode = field(node, 'name')!;
    const supers = field(node, 'superclasses');
    const body = field(node, 'body');
    return {
      name: nameNode.text,
      bases: supers ? named(supers).filter((c) => c.type !== 'keyword_argument').map((c) => this.expr(c)) : [],
      body: body ? this.block(body) : [],
      decorators,
      span: spanOf(outer ?? node),
      nameSpan: spanOf(nameNode),
      docstring: this.docstring(body),
      syntaxError: firstError(node),
    };
  }

  private params(node: SyntaxNode | undefined): Param[] {
    if (!node) return [];
    const out: Param[] = [];
    for (const p of named(node)) {
      switch (p.type) {
        case 'identifier': out.push({ name: p.text, kind: 'normal' }); break;
        case 'typed_parameter': {
          const inner = named(p)[0];
          const annotation = field(p, 'type')?.text;
          if (inner.type === 'list_splat_pattern') out.push({ name: named(inner)[0]?.text ?? 'args', kind: 'varargs' });
          else if (inner.type === 'dictionary_splat_pattern') out.push({ name: named(inner)[0]?.text ?? 'kwargs', kind: 'kwargs' });
          else out.push({ name: inner.text, kind: 'normal', ...(annotation ? { annotation } : {}) });
          break;
        }
        case 'default_parameter':
          out.push({ name: field(p, 'name')!.text, default: this.expr(field(p, 'value')!), kind: 'normal' });
          break;
        case 'typed_default_parameter': {
          const annotation = field(p, 'type')?.text;
          out.push({ name: field(p, 'name')!.text, default: this.expr(field(p, 'value')!), kind: 'normal', ...(annotation ? { annotation } : {}) });
          break;
        }
        case 'list_splat_pattern': out.push({ name: named(p)[0]?.text ?? 'args', kind: 'varargs' }); break;
        case 'dictionary_splat_pattern': out.push({ name: named(p)[0]?.text ?? 'kwargs', kind: 'kwargs' }); break;
        default: break; // `*` and `/` separators
      }
    }
    return out;
  }

  expr(node: SyntaxNode): Expr {
    const span = spanOf(node);
    switch (node.type) {
      case 'identifier': return { kind: 'name', id: node.text, span };
      case 'integer': {
        const text = node.text.replace(/_/g, '').replace(/[lLjJ]$/, '');
        return { kind: 'number', value: Number(text), isInt: true, span };
      }
      case 'float': return { kind: 'number', value: Number(node.text.replace(/_/g, '')), isInt: false, span };
      case 'true': return { kind: 'bool', value: true, span };
      case 'false': return { kind: 'bool', value: false, span };
      case 'none': return { kind: 'none', span };
      case 'string':
      case 'concatenated_string':
        if (named(node).some((c) => c.type === 'interpolation') || (node.type === 'concatenated_string' && named(node).some((s) => named(s).some((c) => c.type === 'interpolation')))) {
          return { kind: 'fstring', parts: this.fstringParts(node), span };
        }
        return { kind: 'string', value: stringValue(node), span };
      case 'parenthesized_expression': {
        const inner = named(node);
        return inner.length === 1 ? this.expr(inner[0]) : { kind: 'unsupported', construct: 'parenthesized expression', span };
      }
      case 'attribute': return { kind: 'attribute', object: this.expr(field(node, 'object')!), name: field(node, 'attribute')!.text, span };
      case 'call': {
        const callee = this.expr(field(node, 'function')!);
        const argsNode = field(node, 'arguments')!;
        if (argsNode.type === 'generator_expression') return { kind: 'call', callee, args: [{ value: this.expr(argsNode) }], span };
        return { kind: 'call', callee, args: this.args(argsNode), span };
      }
      case 'binary_operator': {
        const op = field(node, 'operator')!.text as BinaryOp;
        if (!binaryOps.has(op)) return { kind: 'unsupported', construct: `operator ${op}`, span };
        return { kind: 'binary', op, left: this.expr(field(node, 'left')!), right: this.expr(field(node, 'right')!), span };
      }
      case 'unary_operator': {
        const op = field(node, 'operator')!.text as '-' | '+' | '~';
        return { kind: 'unary', op, operand: this.expr(field(node, 'argument')!), span };
      }
      case 'not_operator': return { kind: 'unary', op: 'not', operand: this.expr(field(node, 'argument')!), span };
      case 'boolean_operator':
        return { kind: 'logical', op: field(node, 'operator')!.text as 'and' | 'or', left: this.expr(field(node, 'left')!), right: this.expr(field(node, 'right')!), span };
      case 'comparison_operator': {
        const operands: Expr[] = [];
        const ops: CompareOp[] = [];
        let pending = '';
        for (const c of node.children) {
          if (!c || c.type === 'comment') continue;
          if (c.isNamed) {
            if (pending) { ops.push(pending.trim() as CompareOp); pending = ''; }
            operands.push(this.expr(c));
          } else pending += ` ${c.type}`;
        }
        return { kind: 'compare', ops: ops.map((o) => o.replace(/\s+/g, ' ') as CompareOp), operands, span };
      }
      case 'conditional_expression': {
        const parts = named(node);
        return { kind: 'conditional', then: this.expr(parts[0]), test: this.expr(parts[1]), otherwise: this.expr(parts[2]), span };
      }
      case 'tuple':
      case 'expression_list':
      case 'pattern_list':
      case 'tuple_pattern':
        return { kind: 'tuple', items: named(node).map((c) => this.expr(c)), span };
      case 'list':
      case 'list_pattern':
        return { kind: 'list', items: named(node).map((c) => this.expr(c)), span };
      case 'set': return { kind: 'list', items: named(node).map((c) => this.expr(c)), span };
      case 'dictionary':
        return {
          kind: 'dict',
          entries: named(node).map((p) => p.type === 'pair'
            ? { key: this.expr(field(p, 'key')!), value: this.expr(field(p, 'value')!) }
            : { key: undefined, value: this.expr(named(p)[0] ?? p) }),
          span,
        };
      case 'subscript': {
        const subs = node.childrenForFieldName('subscript').filter((c): c is SyntaxNode => c !== null);
        const index = subs.length === 1 ? this.expr(subs[0]) : { kind: 'tuple' as const, items: subs.map((s) => this.expr(s)), span };
        return { kind: 'subscript', object: this.expr(field(node, 'value')!), index, span };
      }
      case 'slice': {
        // children: [start] ':' [stop] [':' [step]]
        const parts: (Expr | undefined)[] = [undefined];
        for (const c of node.children) {
          if (!c) continue;
          if (c.type === ':') parts.push(undefined);
          else if (c.isNamed && c.type !== 'comment') parts[parts.length - 1] = this.expr(c);
        }
        return { kind: 'slice', start: parts[0], stop: parts[1], step: parts[2], span };
      }
      case 'ellipsis': return { kind: 'string', value: '...', span };
      case 'lambda': {
        const body = field(node, 'body')!;
        const fn: FunctionDef = {
          name: '<lambda>',
          params: this.params(field(node, 'parameters')),
          body: [{ kind: 'return', value: this.expr(body), span: spanOf(body) }],
          decorators: [],
          span,
          nameSpan: span,
        };
        return { kind: 'lambda', fn, span };
      }
      case 'list_comprehension':
      case 'generator_expression':
      case 'set_comprehension':
      case 'dictionary_comprehension': {
        const clauses: { target: Expr; iter: Expr; conditions: Expr[] }[] = [];
        for (const c of named(node).slice(1)) {
          if (c.type === 'for_in_clause') clauses.push({ target: this.expr(field(c, 'left')!), iter: this.expr(field(c, 'right')!), conditions: [] });
          else if (c.type === 'if_clause' && clauses.length) clauses[clauses.length - 1].conditions.push(this.expr(named(c)[0]));
        }
        const body = field(node, 'body') ?? named(node)[0];
        if (node.type === 'dictionary_comprehension') {
          if (body.type !== 'pair') return { kind: 'unsupported', construct: 'dictionary comprehension', span };
          return { kind: 'comprehension', key: this.expr(field(body, 'key')!), element: this.expr(field(body, 'value')!), clauses, output: 'dict', span };
        }
        const output = node.type === 'list_comprehension' ? 'list' : node.type === 'set_comprehension' ? 'set' : 'generator';
        return { kind: 'comprehension', element: this.expr(body), clauses, output, span };
      }
      case 'list_splat':
      case 'list_splat_pattern':
        return { kind: 'starred', value: this.expr(named(node)[0]), span };
      case 'keyword_argument': return this.expr(field(node, 'value')!);
      case 'named_expression': {
        // `(x := v)` evaluated exactly once, before anything else in its statement that could see `x`,
        // is `x = v` just before that statement, then `x`: the IR needs no expression that assigns.
        const name = field(node, 'name');
        const value = field(node, 'value');
        if (!name || !value || name.type !== 'identifier' || !walrusHoistable(node, name.text)) {
          return { kind: 'unsupported', construct: 'assignment expression (:=)', span };
        }
        const target: Expr = { kind: 'name', id: name.text, span: spanOf(name) };
        this.hoisted.push({ kind: 'assign', targets: [target], value: this.expr(value), span });
        return { ...target, span };
      }
      case 'await': return { kind: 'unsupported', construct: 'await', span };
      case 'ERROR': return { kind: 'unsupported', construct: 'syntax error', span };
      default:
        return { kind: 'unsupported', construct: node.type.replace(/_/g, ' '), span };
    }
  }

  /** Literal text and `{expr!conv:spec}` parts of an f-string (or of several concatenated strings). */
  private fstringParts(node: SyntaxNode): (string | { expr: Expr; spec?: string; conversion?: string })[] {
    if (node.type === 'concatenated_string') return named(node).flatMap((s) => this.fstringParts(s));
    const out: (string | { expr: Expr; spec?: string; conversion?: string })[] = [];
    for (const c of named(node)) {
      if (c.type === 'string_content') out.push(c.text.replace(/\{\{/g, '{').replace(/\}\}/g, '}'));
      else if (c.type === 'escape_sequence') out.push(unescape(c.text));
      else if (c.type === 'interpolation') {
        const parts = named(c);
        const expr = parts.find((p) => p.type !== 'type_conversion' && p.type !== 'format_specifier');
        const conversion = parts.find((p) => p.type === 'type_conversion')?.text.slice(1);
        const spec = parts.find((p) => p.type === 'format_specifier')?.text.replace(/^:/, '');
        out.push({ expr: expr ? this.expr(expr) : { kind: 'string', value: '', span: spanOf(c) }, spec, conversion });
      }
    }
    return out;
  }

  private args(node: SyntaxNode): Arg[] {
    const out: Arg[] = [];
    for (const c of named(node)) {
      if (c.type === 'keyword_argument') out.push({ name: field(c, 'name')!.text, value: this.expr(field(c, 'value')!) });
      else if (c.type === 'list_splat') out.push({ value: this.expr(named(c)[0]), spread: 'args' });
      else if (c.type === 'dictionary_splat') out.push({ value: this.expr(named(c)[0]), spread: 'kwargs' });
      else out.push({ value: this.expr(c) });
    }
    return out;
  }
}

export function lowerPython(root: SyntaxNode, lineCount: number): ModuleIR {
  return new PythonLowering().lowerModule(root, lineCount);
}
