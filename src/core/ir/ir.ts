// A small language-neutral tree for the subset of Python and JavaScript that activation and loss
// functions are written in. Both grammars lower to it; one evaluator runs it and one pass of
// source rules reads it.

/** 0-based, as in LSP. */
export interface Span {
  startLine: number;
  startCol: number;
  endLine: number;
  endCol: number;
}

export type BinaryOp = '+' | '-' | '*' | '/' | '//' | '%' | '**' | '@' | '&' | '|' | '^' | '<<' | '>>';
export type CompareOp = '<' | '<=' | '>' | '>=' | '==' | '!=' | 'is' | 'is not' | 'in' | 'not in';

export interface Arg {
  name?: string;
  value: Expr;
  spread?: 'args' | 'kwargs';
}

export type Expr = { span: Span } & (
  | { kind: 'number'; value: number; isInt: boolean }
  | { kind: 'string'; value: string }
  /** An f-string / template literal: literal text and interpolated expressions (with a Python format spec and !r/!s/!a). */
  | { kind: 'fstring'; parts: (string | { expr: Expr; spec?: string; conversion?: string })[] }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'name'; id: string }
  | { kind: 'attribute'; object: Expr; name: string }
  | { kind: 'call'; callee: Expr; args: Arg[]; isNew?: boolean }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
  | { kind: 'unary'; op: '-' | '+' | 'not' | '~'; operand: Expr }
  | { kind: 'compare'; ops: CompareOp[]; operands: Expr[] }
  | { kind: 'logical'; op: 'and' | 'or' | '??'; left: Expr; right: Expr }
  | { kind: 'conditional'; test: Expr; then: Expr; otherwise: Expr }
  | { kind: 'tuple' | 'list'; items: Expr[] }
  | { kind: 'dict'; entries: { key: Expr | undefined; value: Expr }[] }
  | { kind: 'subscript'; object: Expr; index: Expr }
  | { kind: 'slice'; start?: Expr; stop?: Expr; step?: Expr }
  | { kind: 'lambda'; fn: FunctionDef }
  /** A dict comprehension has `key` (and `element` is the value). */
  | { kind: 'comprehension'; element: Expr; key?: Expr; clauses: { target: Expr; iter: Expr; conditions: Expr[] }[]; output: 'list' | 'tuple' | 'set' | 'generator' | 'dict' }
  | { kind: 'starred'; value: Expr }
  | { kind: 'unsupported'; construct: string }
);

export type Stmt = { span: Span } & (
  | { kind: 'expr'; expr: Expr }
  | { kind: 'assign'; targets: Expr[]; value: Expr }
  | { kind: 'augassign'; target: Expr; op: BinaryOp; value: Expr }
  | { kind: 'return'; value?: Expr }
  | { kind: 'if'; test: Expr; body: Stmt[]; orelse: Stmt[] }
  | { kind: 'for'; target: Expr; iter: Expr; body: Stmt[] }
  | { kind: 'while'; test: Expr; body: Stmt[] }
  | { kind: 'with'; items: { context: Expr; target?: Expr }[]; body: Stmt[] }
  | {
    kind: 'try'; body: Stmt[]; handlers: Stmt[][]; finalbody: Stmt[];
    /** Per handler: the exception class(es) it catches (undefined: a bare `except:` / JS `catch`), and the `as` name. */
    handlerTypes?: (Expr | undefined)[]; handlerNames?: (string | undefined)[];
  }
  | { kind: 'function'; fn: FunctionDef }
  | { kind: 'class'; cls: ClassDef }
  | { kind: 'import'; module: string; names: { name: string; alias: string }[]; alias?: string }
  | { kind: 'pass'; declares?: string }
  | { kind: 'break' }
  | { kind: 'continue' }
  | { kind: 'raise'; exc?: Expr }
  | { kind: 'assert'; test: Expr; msg?: Expr }
  | { kind: 'unsupported'; construct: string }
);

export interface Param {
  name: string;
  default?: Expr;
  kind: 'normal' | 'varargs' | 'kwargs';
  /** Python's `self` is an ordinary name here; a JS destructuring parameter (`[a, b]`) also has its pattern. */
  pattern?: Expr;
  /** The written type (`torch.Tensor`, `str`, `tf.Tensor`), as source text, when there is one. */
  annotation?: string;
}

export interface FunctionDef {
  name: string;
  params: Param[];
  body: Stmt[];
  decorators: Expr[];
  span: Span;
  nameSpan: Span;
  docstring?: string;
  /** Syntax errors inside the function: it cannot be translated faithfully. */
  syntaxError?: Span;
  isStatic?: boolean;
  isGetter?: boolean;
  /** The written return type (`-> torch.Tensor`, `: tf.Tensor`), as source text, when there is one. */
  returns?: string;
}

export interface ClassDef {
  name: string;
  bases: Expr[];
  body: Stmt[];
  decorators: Expr[];
  span: Span;
  nameSpan: Span;
  docstring?: string;
  syntaxError?: Span;
}

export interface ModuleIR {
  language: 'python' | 'javascript';
  body: Stmt[];
  /** Comment text by 0-based line (directives: `gradprobe: ...`, `noqa`). */
  comments: Map<number, string>;
  syntaxErrors: Span[];
  lineCount: number;
  /** JS/TS: the top-level names the module exports (undefined when it exports nothing, as a script). */
  exports?: string[];
}

export function spanContains(outer: Span, inner: Span): boolean {
  const startsBefore = outer.startLine < inner.startLine || (outer.startLine === inner.startLine && outer.startCol <= inner.startCol);
  const endsAfter = outer.endLine > inner.endLine || (outer.endLine === inner.endLine && outer.endCol >= inner.endCol);
  return startsBefore && endsAfter;
}

/** Dotted text of a name/attribute chain (`tf.math.log`), or undefined for anything else. */
export function dottedName(expr: Expr): string | undefined {
  if (expr.kind === 'name') return expr.id;
  if (expr.kind === 'attribute') {
    const head = dottedName(expr.object);
    return head === undefined ? undefined : `${head}.${expr.name}`;
  }
  return undefined;
}
