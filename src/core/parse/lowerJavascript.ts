// Lowers a tree-sitter JavaScript/TypeScript tree to the IR. TypeScript types are dropped but for
// parameter and return annotations, kept as text: detection reads them (a `path: string` is no tensor).
import type { SyntaxNode } from './treeSitter';
import type { Arg, BinaryOp, ClassDef, CompareOp, Expr, FunctionDef, ModuleIR, Param, Span, Stmt } from '../ir/ir';
import { field, firstError, named, spanOf } from './syntax';




const binaryOps: Record<string, BinaryOp> = { '+': '+', '-': '-', '*': '*', '/': '/', '%': '%', '**': '**', '&': '&', '|': '|', '^': '^', '<<': '<<', '>>': '>>' };
const compareOps: Record<string, CompareOp> = { '<': '<', '<=': '<=', '>': '>', '>=': '>=', '==': '==', '===': '==', '!=': '!=', '!==': '!=', 'in': 'in' };
const transparent = new Set(['as_expression', 'non_null_expression', 'type_assertion', 'satisfies_expression', 'parenthesized_expression']);

export class JavascriptLowering {
  readonly comments = new Map<number, string>();
  readonly syntaxErrors: Span[] = [];
  private readonly exported = new Set<string>();

  lowerModule(root: SyntaxNode, lineCount: number): ModuleIR {
    this.collect(root);
    const body = this.block(root);
    return { language: 'javascript', body, comments: this.comments, syntaxErrors: this.syntaxErrors, lineCount, exports: this.exported.size ? [...this.exported] : undefined };
  }

  private collect(node: SyntaxNode): void {
    for (const child of node.children) {
      if (!child) continue;
      if (child.type === 'comment') {
        const line = child.startPosition.row;
        this.comments.set(line, (this.comments.get(line) ?? '') + child.text);
      } else {
        if (child.isError || child.isMissing) this.syntaxErrors.push(spanOf(child));
        if (child.childCount > 0) this.collect(child);
      }
    }
  }

  block(node: SyntaxNode): Stmt[] {
    const out: Stmt[] = [];
    for (const child of named(node)) {
      if (child.type === 'ERROR') {
        out.push(...this.block(child).filter((s) => s.kind === 'function' || s.kind === 'class' || s.kind === 'import' || s.kind === 'assign'));
        continue;
      }
      out.push(...this.statement(child));
    }
    return out;
  }

  private body(node: SyntaxNode | undefined): Stmt[] {
    if (!node) return [];
    if (node.type === 'statement_block') return this.block(node);
    return this.statement(node);
  }

  private statement(node: SyntaxNode): Stmt[] {
    const span = spanOf(node);
    switch (node.type) {
      case 'export_statement': {
        const decl = field(node, 'declaration');
        if (decl) {
          const stmts = this.statement(decl);
          for (const st of stmts) {
            if (st.kind === 'function') this.exported.add(st.fn.name);
            else if (st.kind === 'class') this.exported.add(st.cls.name);
            else if (st.kind === 'assign') for (const t of st.targets) if (t.kind === 'name') this.exported.add(t.id);
          }
          return stmts;
        }
        // `export { a, b as c }` names local definitions; `export default f` too.
        for (const clause of named(node).filter((c) => c.type === 'export_clause')) {
          for (const spec of named(clause).filter((c) => c.type === 'export_specifier')) {
            const local = field(spec, 'name');
            if (local) this.exported.add(local.text);
          }
        }
        const value = field(node, 'value');
        if (value) {
          if (value.type === 'identifier') this.exported.add(value.text);
          this.exported.add('default');
          return [{ kind: 'assign', targets: [{ kind: 'name', id: 'default', span }], value: this.expr(value), span }];
        }
        return [{ kind: 'pass', span }];
      }
      case 'import_statement': return [this.importStatement(node)];
      case 'lexical_declaration':
      case 'variable_declaration': {
        const out: Stmt[] = [];
        for (const d of named(node).filter((c) => c.type === 'variable_declarator')) {
          const nameNode = field(d, 'name')!;
          const value = field(d, 'value');
          if (!value) continue;
          const target = this.expr(nameNode);
          const lowered = this.expr(value);
          if (lowered.kind === 'lambda' && nameNode.type === 'identifier') lowered.fn.name = nameNode.text;
          out.push({ kind: 'assign', targets: [target], value: lowered, span: spanOf(d) });
        }
        return out;
      }
      case 'function_declaration':
      case 'generator_function_declaration':
        return [{ kind: 'function', fn: this.functionDef(node, field(node, 'name')!.text, field(node, 'name')!), span }];
      case 'class_declaration':
      case 'abstract_class_declaration':
        return [{ kind: 'class', cls: this.classDef(node), span }];
      case 'expression_statement': {
        const inner = named(node)[0];
        if (!inner) return [];
        if (inner.type === 'assignment_expression') return [{ kind: 'assign', targets: [this.expr(field(inner, 'left')!)], value: this.expr(field(inner, 'right')!), span }];
        if (inner.type === 'augmented_assignment_expression') {
          const op = field(inner, 'operator')!.text.slice(0, -1);
          const mapped = binaryOps[op];
          if (!mapped) return [{ kind: 'unsupported', construct: `operator ${op}=`, span }];
          return [{ kind: 'augassign', target: this.expr(field(inner, 'left')!), op: mapped, value: this.expr(field(inner, 'right')!), span }];
        }
        if (inner.type === 'update_expression') {
          const arg = field(inner, 'argument')!;
          const op = inner.text.includes('++') ? '+' : '-';
          return [{ kind: 'augassign', target: this.expr(arg), op, value: { kind: 'number', value: 1, isInt: true, span }, span }];
        }
        return [{ kind: 'expr', expr: this.expr(inner), span }];
      }
      case 'return_statement': {
        const inner = named(node)[0];
        return [{ kind: 'return', value: inner ? this.expr(inner) : undefined, span }];
      }
      case 'if_statement': {
        const alt = field(node, 'alternative');
        const altBody = alt ? named(alt)[0] : undefined;
        return [{ kind: 'if', test: this.expr(field(node, 'condition')!), body: this.body(field(node, 'consequence')), orelse: altBody ? this.body(altBody) : [], span }];
      }
      case 'for_in_statement': {
        const isOf = node.children.some((c) => c?.type === 'of');
        if (!isOf) return [{ kind: 'unsupported', construct: 'for...in loop', span }];
        return [{ kind: 'for', target: this.expr(field(node, 'left')!), iter: this.expr(field(node, 'right')!), body: this.body(field(node, 'body')), span }];
      }
      case 'while_statement':
        return [{ kind: 'while', test: this.expr(field(node, 'condition')!), body: this.body(field(node, 'body')), span }];
      case 'statement_block': return [{ kind: 'if', test: { kind: 'bool', value: true, span }, body: this.block(node), orelse: [], span }];
      case 'try_statement': {
        const handler = field(node, 'handler');
        const finalizer = field(node, 'finalizer');
        return [{ kind: 'try', body: this.body(field(node, 'body')), handlers: handler ? [this.body(field(handler, 'body'))] : [], finalbody: finalizer ? this.body(field(finalizer, 'body')) : [], span }];
      }
      case 'throw_statement': return [{ kind: 'raise', span }];
      case 'break_statement': return [{ kind: 'break', span }];
      case 'continue_statement': return [{ kind: 'continue', span }];
      case 'empty_statement':
      case 'type_alias_declaration':
      case 'interface_declaration':
      case 'enum_declaration':
      case 'ambient_declaration':
      case 'module':
      case 'internal_module':
        return [{ kind: 'pass', span }];
      default:
        return [{ kind: 'unsupported', construct: node.type === 'ERROR' ? 'syntax error' : node.type.replace(/_/g, ' '), span }];
    }
  }

  private importStatement(node: SyntaxNode): Stmt {
    const span = spanOf(node);
    const source = field(node, 'source');
    const module = source ? named(source).map((c) => c.text).join('') : '';
    const clause = named(node).find((c) => c.type === 'import_clause');
    const names: { name: string; alias: string }[] = [];
    let alias: string | undefined;
    for (const c of clause ? named(clause) : []) {
      if (c.type === 'namespace_import') alias = named(c)[0]?.text;
      else if (c.type === 'identifier') names.push({ name: 'default', alias: c.text });
      else if (c.type === 'named_imports') {
        for (const spec of named(c).filter((s) => s.type === 'import_specifier')) {
          const n = field(spec, 'name')!.text;
          names.push({ name: n, alias: field(spec, 'alias')?.text ?? n });
        }
      }
    }
    return { kind: 'import', module, names, alias, span };
  }

  functionDef(node: SyntaxNode, name: string, nameNode?: SyntaxNode): FunctionDef {
    const bodyNode = field(node, 'body');
    let body: Stmt[];
    if (bodyNode && bodyNode.type !== 'statement_block') body = [{ kind: 'return', value: this.expr(bodyNode), span: spanOf(bodyNode) }];
    else body = this.body(bodyNode);
    const single = field(node, 'parameter');
    const params = single ? [{ name: single.text, kind: 'normal' as const }] : this.params(field(node, 'parameters'));
    const returns = typeText(field(node, 'return_type'));
    return {
      name,
      params,
      ...(returns ? { returns } : {}),
      body,
      decorators: [],
      span: spanOf(node),
      nameSpan: spanOf(nameNode ?? node),
      syntaxError: firstError(node),
      isStatic: node.children.some((c) => c?.type === 'static'),
      isGetter: node.children.some((c) => c?.type === 'get'),
    };
  }

  private classDef(node: SyntaxNode): ClassDef {
    const nameNode = field(node, 'name')!;
    const bases: Expr[] = [];
    const heritage = named(node).find((c) => c.type === 'class_heritage');
    if (heritage) {
      const ext = named(heritage).find((c) => c.type === 'extends_clause');
      const value = ext ? field(ext, 'value') ?? named(ext)[0] : named(heritage)[0];
      if (value) bases.push(this.expr(value));
    }
    const body: Stmt[] = [];
    const bodyNode = field(node, 'body');
    for (const member of bodyNode ? named(bodyNode) : []) {
      const span = spanOf(member);
      if (member.type === 'method_definition') {
        const n = field(member, 'name')!;
        const fn = this.functionDef(member, n.text, n);
        body.push({ kind: 'function', fn, span });
      } else if (member.type === 'field_definition' || member.type === 'public_field_definition') {
        const prop = field(member, 'property') ?? field(member, 'name');
        const value = field(member, 'value');
        if (prop && value) body.push({ kind: 'assign', targets: [{ kind: 'name', id: prop.text, span: spanOf(prop) }], value: this.expr(value), span });
      }
    }
    return { name: nameNode.text, bases, body, decorators: [], span: spanOf(node), nameSpan: spanOf(nameNode), syntaxError: firstError(node) };
  }

  private params(node: SyntaxNode | undefined): Param[] {
    if (!node) return [];
    const out: Param[] = [];
    for (const p of named(node)) {
      let target = p;
      let def: Expr | undefined;
      let annotation: string | undefined;
      if (p.type === 'required_parameter' || p.type === 'optional_parameter') {
        target = field(p, 'pattern') ?? named(p)[0];
        const v = field(p, 'value');
        if (v) def = this.expr(v);
        annotation = typeText(field(p, 'type'));
      }
      if (target.type === 'assignment_pattern') {
        def = this.expr(field(target, 'right')!);
        target = field(target, 'left')!;
      }
      if (target.type === 'rest_pattern') out.push({ name: named(target)[0]?.text ?? 'rest', kind: 'varargs' });
      else if (target.type === 'identifier') out.push({ name: target.text, default: def, kind: 'normal', ...(annotation ? { annotation } : {}) });
      else if (target.type === 'this') continue;
      else if (target.type === 'array_pattern') out.push({ name: `<${target.type}>`, default: def, kind: 'normal', pattern: this.expr(target) });
      else out.push({ name: `<${target.type}>`, default: def, kind: 'normal' });
    }
    return out;
  }

  expr(node: SyntaxNode): Expr {
    const span = spanOf(node);
    if (transparent.has(node.type)) {
      const inner = named(node)[0];
      return inner ? this.expr(inner) : { kind: 'unsupported', construct: node.type, span };
    }
    switch (node.type) {
      case 'identifier':
      case 'shorthand_property_identifier':
        if (node.text === 'undefined') return { kind: 'none', span };
        return { kind: 'name', id: node.text, span };
      case 'this': return { kind: 'name', id: 'this', span };
      case 'super': return { kind: 'name', id: 'super', span };
      case 'number': {
        const text = node.text.replace(/_/g, '');
        const value = Number(text);
        return { kind: 'number', value, isInt: false, span };
      }
      case 'string': return { kind: 'string', value: named(node).map((c) => c.text).join(''), span };
      case 'template_string':
        return { kind: 'string', value: named(node).some((c) => c.type === 'template_substitution') ? '<template>' : node.text.slice(1, -1), span };
      case 'true': return { kind: 'bool', value: true, span };
      case 'false': return { kind: 'bool', value: false, span };
      case 'null':
      case 'undefined':
        return { kind: 'none', span };
      case 'member_expression': {
        const prop = field(node, 'property')!;
        if (prop.type === 'private_property_identifier') return { kind: 'attribute', object: this.expr(field(node, 'object')!), name: prop.text, span };
        return { kind: 'attribute', object: this.expr(field(node, 'object')!), name: prop.text, span };
      }
      case 'subscript_expression': return { kind: 'subscript', object: this.expr(field(node, 'object')!), index: this.expr(field(node, 'index')!), span };
      case 'call_expression': {
        const fn = field(node, 'function')!;
        const argsNode = field(node, 'arguments');
        if (fn.type === 'import') return { kind: 'unsupported', construct: 'import()', span };
        if (!argsNode || argsNode.type === 'template_string') return { kind: 'unsupported', construct: 'tagged template', span };
        return { kind: 'call', callee: this.expr(fn), args: this.args(argsNode), span };
      }
      case 'new_expression': {
        const argsNode = field(node, 'arguments');
        return { kind: 'call', callee: this.expr(field(node, 'constructor')!), args: argsNode ? this.args(argsNode) : [], isNew: true, span };
      }
      case 'arrow_function':
      case 'function_expression':
      case 'function':
        return { kind: 'lambda', fn: this.functionDef(node, field(node, 'name')?.text ?? '<lambda>'), span };
      case 'binary_expression': {
        const opText = field(node, 'operator')!.text;
        const left = this.expr(field(node, 'left')!);
        const right = this.expr(field(node, 'right')!);
        if (opText === '&&') return { kind: 'logical', op: 'and', left, right, span };
        if (opText === '||') return { kind: 'logical', op: 'or', left, right, span };
        if (opText === '??') return { kind: 'logical', op: '??', left, right, span };
        if (opText === 'instanceof') return { kind: 'call', callee: { kind: 'name', id: 'instanceof', span }, args: [{ value: left }, { value: right }], span };
        if (compareOps[opText]) return { kind: 'compare', ops: [compareOps[opText]], operands: [left, right], span };
        if (binaryOps[opText]) return { kind: 'binary', op: binaryOps[opText], left, right, span };
        return { kind: 'unsupported', construct: `operator ${opText}`, span };
      }
      case 'unary_expression': {
        const op = field(node, 'operator')!.text;
        const operand = this.expr(field(node, 'argument')!);
        if (op === '!') return { kind: 'unary', op: 'not', operand, span };
        if (op === '-' || op === '+' || op === '~') return { kind: 'unary', op, operand, span };
        return { kind: 'unsupported', construct: `operator ${op}`, span };
      }
      case 'ternary_expression':
        return { kind: 'conditional', test: this.expr(field(node, 'condition')!), then: this.expr(field(node, 'consequence')!), otherwise: this.expr(field(node, 'alternative')!), span };
      case 'array': return { kind: 'list', items: named(node).map((c) => this.expr(c)), span };
      case 'array_pattern': return { kind: 'tuple', items: named(node).map((c) => this.expr(c)), span };
      case 'object': {
        const entries: { key: Expr | undefined; value: Expr }[] = [];
        for (const p of named(node)) {
          if (p.type === 'pair') {
            const k = field(p, 'key')!;
            const key: Expr = k.type === 'property_identifier' ? { kind: 'string', value: k.text, span: spanOf(k) } : k.type === 'computed_property_name' ? this.expr(named(k)[0]) : this.expr(k);
            entries.push({ key, value: this.expr(field(p, 'value')!) });
          } else if (p.type === 'shorthand_property_identifier') {
            entries.push({ key: { kind: 'string', value: p.text, span: spanOf(p) }, value: { kind: 'name', id: p.text, span: spanOf(p) } });
          } else if (p.type === 'spread_element') entries.push({ key: undefined, value: this.expr(named(p)[0]) });
          else if (p.type === 'method_definition') {
            const n = field(p, 'name')!;
            entries.push({ key: { kind: 'string', value: n.text, span: spanOf(n) }, value: { kind: 'lambda', fn: this.functionDef(p, n.text, n), span: spanOf(p) } });
          } else entries.push({ key: undefined, value: { kind: 'unsupported', construct: p.type.replace(/_/g, ' '), span: spanOf(p) } });
        }
        return { kind: 'dict', entries, span };
      }
      case 'spread_element': return { kind: 'starred', value: this.expr(named(node)[0]), span };
      case 'sequence_expression': return { kind: 'unsupported', construct: 'comma expression', span };
      case 'await_expression': return { kind: 'unsupported', construct: 'await', span };
      case 'assignment_expression': return { kind: 'unsupported', construct: 'assignment inside an expression', span };
      case 'ERROR': return { kind: 'unsupported', construct: 'syntax error', span };
      default:
        return { kind: 'unsupported', construct: node.type.replace(/_/g, ' '), span };
    }
  }

  private args(node: SyntaxNode): Arg[] {
    return named(node).map((c) => c.type === 'spread_element' ? { value: this.expr(named(c)[0]), spread: 'args' as const } : { value: this.expr(c) });
  }
}

/** `: tf.Tensor` → `tf.Tensor`. */
function typeText(node: SyntaxNode | undefined): string | undefined {
  const text = node?.text.replace(/^\s*:\s*/, '').trim();
  return text || undefined;
}

export function lowerJavascript(root: SyntaxNode, lineCount: number): ModuleIR {
  return new JavascriptLowering().lowerModule(root, lineCount);
}
