// Finds custom activation and loss functions. How the signals combine (ARCHITECTURE.md says the same):
//   1. A `gradprobe: activation|loss|skip` comment on the definition line decides outright.
//   2. A use decides: passed as `activation=`, `Activation(f)`, `Lambda(f)`, into a parameter named
//      act/activation, or registered under an activation key/variable → activation; passed as
//      `loss=` / `compile(loss=)`, assigned to `criterion`/`loss_fn`, or registered under a loss key →
//      loss. Uses in other workspace files count when that file imports the name.
//   3. A metric use (`metrics=[...]`) or a metric-like name (score, metric, accuracy, iou, coef, f1…)
//      without "loss" vetoes "loss".
//   4. Without a use, the definition's own shape decides: loss base classes (keras Loss, torch _Loss),
//      loss signatures `(y_true, y_pred)`, `(input, target)`, `(logits, labels)`, `(pred, target)`;
//      custom-gradient definitions (`custom_vjp`, `tf.custom_gradient`, `autograd.Function`,
//      `tf.customGrad`); registration (`register_keras_serializable`, `registerClass`).
//   5. A bare one-input signature is not enough: it needs a use, a registration, a custom gradient,
//      or a name that says activation (relu, swish, sigmoid, …). Names alone never make a metric a loss.
import type { ParsedModule } from '../parse/document';
import type { Framework } from '../ir/frameworks';
import type { Arg, ClassDef, Expr, FunctionDef, Span, Stmt } from '../ir/ir';
import { dottedName } from '../ir/ir';
import { frameworkPath, importsOf, type ImportMap } from './imports';

export type FunctionKind = 'activation' | 'loss';

export interface DetectedFunction {
  name: string;
  kind: FunctionKind;
  framework: Framework;
  module: ParsedModule;
  shape: 'function' | 'class' | 'factory' | 'constant' | 'lambda';
  def?: FunctionDef;
  cls?: ClassDef;
  /** The callable to probe inside a factory or class (inner function, forward/call). */
  inner?: FunctionDef;
  span: Span;
  nameSpan: Span;
  detectedBy: string[];
  /** Arguments found at a call site of a factory or constructor, with the module they are written in. */
  callSite?: { args: Arg[]; module: ParsedModule };
  /** Input parameter names of the probed callable (without self/ctx). */
  inputs: string[];
  /** It defines its own gradient (custom_vjp, tf.custom_gradient, autograd.Function.backward, tf.customGrad). */
  customGradient: boolean;
}

type Role = 'activation' | 'loss' | 'metric' | 'registry';

interface Use {
  role: Role;
  how: string;
  callArgs?: Arg[];
}

const actKey = /^(act|acts|activation|activations|act_fn|activation_fn|actfn|nonlinearity|nonlin|act_layer|activation_function|hidden_act|gate_act|[a-z_]*_act|act_[a-z_]*|[a-z_]*_activation)$/i;
const lossKey = /^(loss|losses|loss_fn|lossfn|loss_func|loss_function|criterion|criterions|objective|[a-z_]*_loss|loss_[a-z_]*|[a-z_]*_criterion|[a-z]*Loss|lossFn|lossFunction)$/i;
const metricKey = /^(metrics?|[a-z_]*_metrics?|weighted_metrics|eval_metrics)$/i;
const metricName = /(score|metric|accuracy|(^|_)acc($|_)|iou|coef|(^|_)f1|f1_|fbeta|precision|recall|(^|_)auc|psnr|ssim|error_rate|jaccard_index)/i;
const activationName = /(relu|elu|gelu|selu|swish|silu|mish|sigmoid|tanh|softplus|[a-z]plus$|softsign|leaky|hardswish|hardtanh|logistic|elliott|snake|sinc|gaussian|squash|shrink|activation|(^|_)act($|_)|^[a-z]+lu$|[a-z]Lu$|LU$)/i;
const lossName = /(loss|criterion|(^|_)nll|crossentropy|cross_entropy|(^|_)mse($|_)|(^|_)mae($|_)|hinge|divergence|(^|_)kl($|_)|(^|_)kld|huber|focal|dice|tversky|contrastive|triplet|msle)/i;
const lossSignatures: [RegExp, RegExp][] = [
  [/^(y_?true|yTrue|y|target|targets|labels?|gt|ground_truth)$/i, /^(y_?pred|yPred|pred|preds|prediction|predictions|output|outputs|logits|y_hat|yhat|probs)$/i],
  [/^(input|inputs|pred|preds|prediction|predictions|output|outputs|logits|y_?pred|yPred|y_hat|yhat|probs|scores|x)$/i, /^(target|targets|labels?|y_?true|yTrue|gt|y)$/i],
];
const layerCall = /(\.|^)(Linear|Conv[123]d|Conv[123]D|Dense|dense|conv2d|Embedding|LSTM|GRU|Sequential|BatchNorm\w*|LayerNorm|Dropout|MultiheadAttention|layers\.\w+)$/;

function isLossSignature(params: string[]): string | undefined {
  if (params.length < 2) return undefined;
  const [a, b] = params;
  if (lossSignatures.some(([p, q]) => p.test(a) && q.test(b)) && !(a === 'x' && b === 'y')) return `signature:(${a}, ${b})`;
  return undefined;
}

export interface Candidate {
  name: string;
  module: ParsedModule;
  imports: ImportMap;
  shape: DetectedFunction['shape'];
  def?: FunctionDef;
  cls?: ClassDef;
  inner?: FunctionDef;
  inputs: string[];
  requiredInputs: number;
  span: Span;
  nameSpan: Span;
  signals: string[];
  customGradient: boolean;
  frameworkBases: string[];
  hasSubLayers: boolean;
  registered: boolean;
}

/** Input parameters of a callable: without self/ctx and without ones that have defaults beyond the first two. */
function inputParams(fn: FunctionDef, dropFirst: number): { names: string[]; required: number } {
  const params = fn.params.filter((p) => p.kind === 'normal').slice(dropFirst);
  return { names: params.map((p) => p.name), required: params.filter((p) => !p.default).length };
}

function returnsInnerFunction(fn: FunctionDef): FunctionDef | undefined {
  const inner = new Map<string, FunctionDef>();
  let returned: FunctionDef | undefined;
  const visit = (body: Stmt[]): void => {
    for (const s of body) {
      if (s.kind === 'function') inner.set(s.fn.name, s.fn);
      else if (s.kind === 'assign' && s.value.kind === 'lambda') {
        const fnDef = s.value.fn;
        for (const t of s.targets) if (t.kind === 'name') inner.set(t.id, fnDef);
      } else if (s.kind === 'return' && s.value) {
        if (s.value.kind === 'name' && inner.has(s.value.id)) returned = inner.get(s.value.id);
        else if (s.value.kind === 'lambda') returned = s.value.fn;
      } else if (s.kind === 'if') { visit(s.body); visit(s.orelse); }
    }
  };
  visit(fn.body);
  return returned;
}

function methodOf(cls: ClassDef, names: string[]): FunctionDef | undefined {
  for (const name of names) {
    for (const s of cls.body) if (s.kind === 'function' && s.fn.name === name) return s.fn;
  }
  return undefined;
}

function hasSubLayers(cls: ClassDef): boolean {
  for (const name of ['__init__', 'constructor', 'build', 'setup']) {
    const m = methodOf(cls, [name]);
    if (!m) continue;
    let found = false;
    const visitExpr = (e: Expr): void => {
      if (found) return;
      if (e.kind === 'call') {
        const callee = dottedName(e.callee) ?? '';
        if (layerCall.test(callee)) { found = true; return; }
        e.args.forEach((a) => visitExpr(a.value));
      }
    };
    const visit = (body: Stmt[]): void => {
      for (const s of body) {
        if (s.kind === 'assign') visitExpr(s.value);
        else if (s.kind === 'expr') visitExpr(s.expr);
        else if (s.kind === 'for' || s.kind === 'if') visit(s.body);
      }
    };
    visit(m.body);
    if (found) return true;
  }
  return false;
}

const shapeOps = /(expand_dims|unsqueeze|reshape|transpose|permute|concat|concatenate|stack|squeeze|tile|broadcast_to|flatten|expandDims|\bview)$/;
const denseOps = /(matmul|matMul|\bdot|einsum|conv\w*|\.read)$/;

/** The callable's body calls one of these (a shape op: a Lambda that reshapes; a matmul: a layer, not an activation). */
function bodyCalls(fn: FunctionDef | undefined, pattern: RegExp): boolean {
  if (!fn) return false;
  let found = false;
  const visit = (e: Expr | undefined): void => {
    if (!e || found) return;
    if (e.kind === 'call') {
      const name = dottedName(e.callee) ?? (e.callee.kind === 'attribute' ? e.callee.name : '');
      if (pattern.test(name)) { found = true; return; }
      visit(e.callee);
      e.args.forEach((a) => visit(a.value));
    } else if (e.kind === 'binary') { visit(e.left); visit(e.right); if (e.op === '@' && pattern === denseOps) found = true; }
    else if (e.kind === 'attribute') visit(e.object);
    else if (e.kind === 'unary') visit(e.operand);
    else if (e.kind === 'conditional') { visit(e.then); visit(e.otherwise); }
    else if (e.kind === 'lambda') e.fn.body.forEach(visitStmt);
    else if (e.kind === 'subscript') visit(e.object);
  };
  const visitStmt = (st: Stmt): void => {
    if (st.kind === 'assign') visit(st.value);
    else if (st.kind === 'return') visit(st.value);
    else if (st.kind === 'expr') visit(st.expr);
    else childBlocks(st).forEach((b) => b.forEach(visitStmt));
  };
  fn.body.forEach(visitStmt);
  return found;
}

export function collectCandidates(module: ParsedModule): Candidate[] {
  const imports = importsOf(module.ir);
  const out: Candidate[] = [];
  const vjpHelpers = new Set<string>();
  const visitTop = (body: Stmt[]): void => {
    for (const s of body) {
      if (s.kind === 'expr' && s.expr.kind === 'call' && s.expr.callee.kind === 'attribute' && /^def(vjp|jvp)$/.test(s.expr.callee.name)) {
        for (const a of s.expr.args) if (a.value.kind === 'name') vjpHelpers.add(a.value.id);
      }
      if (s.kind === 'if' || s.kind === 'try') visitTop(s.kind === 'if' ? [...s.body, ...s.orelse] : s.body);
    }
  };
  visitTop(module.ir.body);
  const visit = (body: Stmt[]): void => {
    for (const s of body) {
      if (s.kind === 'if' || s.kind === 'try') { visit(s.kind === 'if' ? [...s.body, ...s.orelse] : s.body); continue; }
      if (s.kind === 'function') {
        if (vjpHelpers.has(s.fn.name)) continue;
        const fn = s.fn;
        const decorators = fn.decorators.map((d) => frameworkPath(d.kind === 'call' ? d.callee : d, imports) ?? dottedName(d.kind === 'call' ? d.callee : d) ?? '');
        const customGradient = decorators.some((d) => /(custom_vjp|custom_jvp|custom_gradient)$/.test(d));
        const registered = decorators.some((d) => /register_keras_serializable|register$/.test(d));
        const inner = returnsInnerFunction(fn);
        const target = inner ?? fn;
        const { names, required } = inputParams(target, 0);
        out.push({
          name: fn.name, module, imports, shape: inner ? 'factory' : 'function', def: fn, inner, inputs: names, requiredInputs: inner ? required : required,
          span: fn.span, nameSpan: fn.nameSpan, signals: decorators.filter(Boolean).map((d) => `decorator:@${d.split('.').pop()}`), customGradient, frameworkBases: [], hasSubLayers: false, registered,
        });
      } else if (s.kind === 'class') {
        const cls = s.cls;
        const bases = cls.bases.map((b) => frameworkPath(b, imports) ?? dottedName(b) ?? '');
        const isAutograd = bases.some((b) => /autograd\.Function$/.test(b));
        const call = isAutograd ? methodOf(cls, ['forward']) : methodOf(cls, ['forward', 'call', '__call__']);
        if (!call) continue;
        const { names, required } = inputParams(call, isAutograd ? (call.isStatic || call.params[0]?.name === 'ctx' ? 1 : 1) : module.ir.language === 'javascript' ? 0 : 1);
        out.push({
          name: cls.name, module, imports, shape: 'class', cls, inner: call, inputs: names, requiredInputs: required, span: cls.span, nameSpan: cls.nameSpan,
          signals: bases.filter(Boolean).map((b) => `base:${b.replace(/^torch\.nn\./, 'nn.')}`), customGradient: isAutograd && !!methodOf(cls, ['backward']),
          frameworkBases: bases, hasSubLayers: hasSubLayers(cls), registered: false,
        });
      } else if (s.kind === 'assign' && (module.ir.language === 'javascript' || s.value.kind === 'lambda')) {
        const target = s.targets[0];
        if (target?.kind !== 'name') continue;
        const value = s.value;
        let fn: FunctionDef | undefined;
        let customGradient = false;
        if (value.kind === 'lambda') fn = value.fn;
        else if (value.kind === 'call' && /customGrad$/.test(dottedName(value.callee) ?? '') && value.args[0]?.value.kind === 'lambda') {
          fn = (value.args[0].value as Extract<Expr, { kind: 'lambda' }>).fn;
          customGradient = true;
        }
        if (!fn) continue;
        const { names, required } = inputParams(fn, 0);
        const inputs = customGradient ? names.slice(0, -1) : names;
        out.push({
          name: target.id, module, imports, shape: 'constant', def: { ...fn, name: target.id }, inputs, requiredInputs: customGradient ? Math.max(0, required - 1) : required,
          span: s.span, nameSpan: target.span, signals: customGradient ? ['decorator:tf.customGrad'] : [], customGradient, frameworkBases: [], hasSubLayers: false, registered: false,
        });
      }
    }
  };
  visit(module.ir.body);
  out.push(...anonymousLambdas(module, imports));
  return out;
}

/** `activation=lambda x: …`, `Activation(lambda x: …)`, `compile(loss=lambda t, p: …)`: listed as `<lambda>@LINE`. */
function anonymousLambdas(module: ParsedModule, imports: ImportMap): Candidate[] {
  const out: Candidate[] = [];
  const take = (e: Expr, how: string): void => {
    if (e.kind !== 'lambda') return;
    const name = `<lambda>@${e.span.startLine + 1}`;
    if (out.some((c) => c.name === name)) return;
    const { names, required } = inputParams(e.fn, 0);
    out.push({
      name, module, imports, shape: 'lambda', def: { ...e.fn, name }, inputs: names, requiredInputs: required, span: e.span, nameSpan: e.span,
      signals: [how], customGradient: false, frameworkBases: [], hasSubLayers: false, registered: true,
    });
  };
  const visitExpr = (e: Expr): void => {
    if (e.kind !== 'call') {
      if (e.kind === 'tuple' || e.kind === 'list') e.items.forEach(visitExpr);
      else if (e.kind === 'dict') e.entries.forEach((en) => visitExpr(en.value));
      return;
    }
    const last = (dottedName(e.callee) ?? '').split('.').pop() ?? '';
    for (const a of e.args) {
      if (a.name && roleOfKey(a.name) && roleOfKey(a.name) !== 'metric') take(a.value, `usage:${last}(${a.name}=lambda)`);
      else if (!a.name && /^(Activation|Lambda)$/.test(last)) take(a.value, `usage:${last}(lambda)`);
      visitExpr(a.value);
    }
    visitExpr(e.callee);
  };
  const visit = (body: Stmt[]): void => {
    for (const st of body) {
      if (st.kind === 'expr') visitExpr(st.expr);
      else if (st.kind === 'assign') visitExpr(st.value);
      else if (st.kind === 'return' && st.value) visitExpr(st.value);
      childBlocks(st).forEach(visit);
    }
  };
  visit(module.ir.body);
  return out;
}

// ---------------------------------------------------------------- uses

interface UseIndex {
  /** (module path, local name) → uses */
  uses: Map<string, Use[]>;
}

function useKey(modulePath: string, name: string): string {
  return `${modulePath}\u0000${name}`;
}

/** The names an expression can evaluate to, following simple local variables. */
function namesIn(e: Expr, vars: Map<string, Expr[]>, depth = 0): { name: string; callArgs?: Arg[] }[] {
  if (depth > 6) return [];
  switch (e.kind) {
    case 'name': {
      const viaVar = (vars.get(e.id) ?? []).flatMap((v) => namesIn(v, vars, depth + 1));
      return [{ name: e.id }, ...viaVar];
    }
    case 'attribute': return e.object.kind === 'name' && e.object.id !== 'self' && e.object.id !== 'this' ? [] : e.object.kind === 'name' ? [] : [];
    case 'call': {
      const callee = e.callee;
      if (callee.kind === 'name') return [{ name: callee.id, callArgs: e.args }, ...(vars.get(callee.id) ?? []).flatMap((v) => namesIn(v, vars, depth + 1))];
      if (callee.kind === 'attribute' && callee.name === 'apply') return namesIn(callee.object, vars, depth + 1);
      if (callee.kind === 'attribute' && /partial$/.test(dottedName(callee) ?? '') && e.args[0]) return namesIn(e.args[0].value, vars, depth + 1);
      if (dottedName(callee) === 'partial' && e.args[0]) return namesIn(e.args[0].value, vars, depth + 1);
      if (callee.kind === 'subscript') return namesIn(callee, vars, depth + 1);
      return [];
    }
    case 'conditional': return [...namesIn(e.then, vars, depth + 1), ...namesIn(e.otherwise, vars, depth + 1)];
    case 'logical': return [...namesIn(e.left, vars, depth + 1), ...namesIn(e.right, vars, depth + 1)];
    case 'tuple':
    case 'list': return e.items.flatMap((i) => namesIn(i, vars, depth + 1));
    case 'dict': return e.entries.flatMap((en) => namesIn(en.value, vars, depth + 1));
    case 'subscript': return namesIn(e.object, vars, depth + 1);
    case 'starred': return namesIn(e.value, vars, depth + 1);
    default: return [];
  }
}

function roleOfKey(key: string): Role | undefined {
  if (metricKey.test(key)) return 'metric';
  if (lossKey.test(key)) return 'loss';
  if (actKey.test(key)) return 'activation';
  return undefined;
}

function collectUses(modules: ParsedModule[], paramRoles: Map<string, Role[]>): UseIndex {
  const index: UseIndex = { uses: new Map() };
  const configRoles = configKeyRoles(modules);
  for (const module of modules) {
    const vars = new Map<string, Expr[]>();
    // pass 1: variable assignments anywhere (flow-insensitive)
    const gather = (body: Stmt[]): void => {
      for (const s of body) {
        if (s.kind === 'assign') for (const t of s.targets) if (t.kind === 'name') vars.set(t.id, [...(vars.get(t.id) ?? []), s.value]);
        if (s.kind === 'augassign' && s.target.kind === 'name') vars.set(s.target.id, [...(vars.get(s.target.id) ?? []), s.value]);
        if (s.kind === 'expr' && s.expr.kind === 'call' && s.expr.callee.kind === 'attribute' && ['append', 'extend', 'add'].includes(s.expr.callee.name) && s.expr.callee.object.kind === 'name') {
          const obj = s.expr.callee.object.id;
          vars.set(obj, [...(vars.get(obj) ?? []), ...s.expr.args.map((a) => a.value)]);
        }
        for (const child of childBlocks(s)) gather(child);
      }
    };
    gather(module.ir.body);
    const add = (e: Expr, role: Role, how: string): void => {
      for (const { name, callArgs } of namesIn(e, vars)) {
        const key = useKey(module.doc.path, name);
        index.uses.set(key, [...(index.uses.get(key) ?? []), { role, how, callArgs }]);
      }
    };
    const visitExpr = (e: Expr): void => {
      switch (e.kind) {
        case 'call': {
          const callee = dottedName(e.callee) ?? '';
          const last = callee.split('.').pop() ?? '';
          for (const a of e.args) {
            if (a.name) {
              const role = roleOfKey(a.name);
              if (role) add(a.value, role, `usage:${last === 'compile' ? 'compile' : last}(${a.name}=)`);
            }
          }
          if (/^(Activation|Lambda)$/.test(last) && e.args[0]) add(e.args[0].value, 'activation', `usage:${last}(f)`);
          // f(Dense(n)(x)), f(self.fc(x)): a function applied to a layer's output is its activation.
          if (e.callee.kind === 'name' && e.args.length === 1 && !e.args[0].name && isLayerOutput(e.args[0].value)) add(e.callee, 'activation', 'usage:f(layer(x))');
          // Values printed or logged are reported numbers: metrics, not losses.
          if (/^(print|logging\.\w+|logger\.\w+|console\.log|wandb\.log|writer\.add_scalar|self\.log)$/.test(callee)) e.args.forEach((a) => calledNames(a.value).forEach((n) => add(n, 'metric', 'usage:printed')));
          if (last === 'update' && /get_custom_objects/.test(callee + (e.callee.kind === 'attribute' ? JSON.stringify(e.callee.object.kind) : ''))) e.args.forEach((a) => add(a.value, 'registry', 'usage:get_custom_objects'));
          if (e.callee.kind === 'attribute' && e.callee.name === 'update' && e.callee.object.kind === 'call' && /get_custom_objects$/.test(dottedName(e.callee.object.callee) ?? '')) e.args.forEach((a) => add(a.value, 'registry', 'usage:get_custom_objects().update'));
          if (/registerClass$/.test(callee) && e.args[0]) add(e.args[0].value, 'registry', 'usage:registerClass');
          if (/(^|\.)Sequential$/.test(callee)) e.args.forEach((a) => { for (const n of namesIn(a.value, vars)) if (n.callArgs) add({ kind: 'name', id: n.name, span: e.span }, 'activation', 'usage:Sequential'); });
          // positional arguments into parameters named like act/loss of a workspace function or class
          const roles = paramRoles.get(last);
          if (roles) e.args.forEach((a, i) => { if (!a.name && roles[i]) add(a.value, roles[i], `usage:${last}(${roles[i] === 'activation' ? 'act' : 'loss'})`); });
          const keyRoles = configRoles.get(last);
          if (keyRoles) for (const a of e.args) if (a.value.kind === 'dict') for (const en of a.value.entries) {
            const role = en.key?.kind === 'string' ? keyRoles.get(en.key.value) : undefined;
            if (role) add(en.value, role, `usage:${last}({${(en.key as { value: string }).value}: …})`);
          }
          // calling a loss variable with two arguments: `criterion(out, y)`
          e.args.forEach((a) => visitExpr(a.value));
          visitExpr(e.callee);
          return;
        }
        case 'dict':
          for (const en of e.entries) {
            if (en.key?.kind === 'string') {
              const role = roleOfKey(en.key.value);
              if (role) add(en.value, role, `usage:{${en.key.value}: …}`);
            }
            visitExpr(en.value);
          }
          return;
        case 'attribute': visitExpr(e.object); return;
        case 'binary': visitExpr(e.left); visitExpr(e.right); return;
        case 'conditional': visitExpr(e.test); visitExpr(e.then); visitExpr(e.otherwise); return;
        case 'tuple': case 'list': e.items.forEach(visitExpr); return;
        case 'subscript': visitExpr(e.object); return;
        case 'lambda': e.fn.body.forEach(visitStmt); return;
        case 'comprehension': visitExpr(e.element); return;
        default: return;
      }
    };
    const visitStmt = (s: Stmt): void => {
      switch (s.kind) {
        case 'assign': {
          for (const t of s.targets) {
            const name = t.kind === 'name' ? t.id : t.kind === 'attribute' ? t.name : undefined;
            const role = name ? roleOfKey(name) : undefined;
            if (role && name) add(s.value, role, `usage:${name} = …`);
          }
          visitExpr(s.value);
          return;
        }
        case 'expr': visitExpr(s.expr); return;
        case 'return':
          if (s.value) visitExpr(s.value);
          return;
        case 'function': {
          const role = roleOfFunctionName(s.fn.name);
          if (role) for (const r of returnsOf(s.fn.body)) add(r, role, `usage:return from ${s.fn.name}()`);
          s.fn.body.forEach(visitStmt);
          s.fn.params.forEach((p) => { if (p.default) { const r = roleOfKey(p.name); if (r) add(p.default, r, `usage:${p.name}=default`); } });
          return;
        }
        case 'class': s.cls.body.forEach(visitStmt); return;
        case 'with': {
          // Computed under torch.no_grad(): an evaluation, not a training loss.
          if (s.items.some((it) => it.context.kind === 'call' && /(no_grad|inference_mode)$/.test(dottedName(it.context.callee) ?? ''))) {
            const visitNoGrad = (b: Stmt): void => {
              const exprs = b.kind === 'assign' ? [b.value] : b.kind === 'expr' ? [b.expr] : b.kind === 'return' && b.value ? [b.value] : [];
              exprs.forEach((x) => calledNames(x).forEach((n) => add(n, 'metric', 'usage:under no_grad')));
              childBlocks(b).forEach((c) => c.forEach(visitNoGrad));
            };
            s.body.forEach(visitNoGrad);
          }
          s.body.forEach(visitStmt);
          return;
        }
        default: for (const child of childBlocks(s)) child.forEach(visitStmt);
      }
    };
    module.ir.body.forEach(visitStmt);
  }
  return index;
}

const layerish = /(Dense|Linear|Conv\w*|dense|linear|conv\w*|fc\d*|proj\w*|layer\w*|lin\d*)$/;

/** `nn.Dense(n)(x)`, `self.fc(x)`, `layers.Dense(8)(h)`: the output of a layer. */
function isLayerOutput(e: Expr): boolean {
  // x @ W + b, tf.add(tf.matMul(x, w), b): an affine layer written out
  if (e.kind === 'binary' && e.op === '+' && (e.left.kind === 'binary' && e.left.op === '@' || isMatmul(e.left))) return true;
  if (e.kind === 'call' && /(^|\.)add$/.test(dottedName(e.callee) ?? '') && e.args[0] && isMatmul(e.args[0].value)) return true;
  if (e.kind !== 'call') return false;
  const callee = e.callee;
  if (callee.kind === 'call') return layerish.test(dottedName(callee.callee) ?? '');
  const name = dottedName(callee) ?? '';
  return /^(self|this)\./.test(name) && layerish.test(name);
}

function isMatmul(e: Expr): boolean {
  return (e.kind === 'binary' && e.op === '@') || (e.kind === 'call' && /(matMul|matmul|\bdot|mm)$/.test(dottedName(e.callee) ?? ''));
}

/** Names of the functions an expression calls (`f(a).item()` → f). */
function calledNames(e: Expr): Expr[] {
  const out: Expr[] = [];
  const visit = (x: Expr): void => {
    if (x.kind === 'call') {
      if (x.callee.kind === 'name') out.push(x.callee);
      visit(x.callee);
      x.args.forEach((a) => visit(a.value));
    } else if (x.kind === 'attribute') visit(x.object);
    else if (x.kind === 'binary') { visit(x.left); visit(x.right); }
    else if (x.kind === 'tuple' || x.kind === 'list') x.items.forEach(visit);
  };
  visit(e);
  return out;
}

function roleOfFunctionName(name: string): Role | undefined {
  if (/^(get_|make_|build_)?(loss|losses|criterion)(_for|_fn|_from)?$|^loss_for|^get_loss/i.test(name)) return 'loss';
  if (/^(get_|make_|build_)?(act|activation|activations)(_for|_fn|_from)?$|^get_activation/i.test(name)) return 'activation';
  return undefined;
}

function returnsOf(body: Stmt[]): Expr[] {
  const out: Expr[] = [];
  for (const s of body) {
    if (s.kind === 'return' && s.value) out.push(s.value);
    for (const child of childBlocks(s)) out.push(...returnsOf(child));
  }
  return out;
}

function childBlocks(s: Stmt): Stmt[][] {
  switch (s.kind) {
    case 'if': return [s.body, s.orelse];
    case 'for': case 'while': case 'with': return [s.body];
    case 'try': return [s.body, ...s.handlers, s.finalbody];
    case 'function': return [s.fn.body];
    case 'class': return [s.cls.body];
    default: return [];
  }
}

/** Parameters named like an activation or loss in workspace functions and constructors: `DenseAct(units, act)`. */
/**
 * A layer that stores a callable from its config and applies it to its output is given its
 * activation that way: `constructor(config) { this.fn = config.fn }` … `call(x) { return this.fn(…) }`
 * makes `new Layer({fn: softExp})` an activation use of softExp. Keyed by class name: config key → role.
 */
function configKeyRoles(modules: ParsedModule[]): Map<string, Map<string, Role>> {
  const out = new Map<string, Map<string, Role>>();
  for (const m of modules) {
    for (const st of m.ir.body) {
      if (st.kind !== 'class') continue;
      const init = methodOf(st.cls, ['__init__', 'constructor']);
      const call = methodOf(st.cls, ['call', 'forward', '__call__']);
      if (!init || !call) continue;
      const params = new Set(init.params.map((p) => p.name));
      const stored = new Map<string, string>(); // this.attr → config key
      for (const b of init.body) {
        if (b.kind !== 'assign' || b.value.kind !== 'attribute' || b.value.object.kind !== 'name' || !params.has(b.value.object.id)) continue;
        for (const t of b.targets) if (t.kind === 'attribute' && t.object.kind === 'name' && (t.object.id === 'this' || t.object.id === 'self')) stored.set(t.name, b.value.name);
      }
      if (!stored.size) continue;
      const roles = new Map<string, Role>();
      const visit = (e: Expr): void => {
        if (e.kind === 'lambda') { walk(e.fn.body); return; }
        if (e.kind !== 'call') { if (e.kind === 'binary') { visit(e.left); visit(e.right); } return; }
        if (e.callee.kind === 'attribute' && e.callee.object.kind === 'name' && (e.callee.object.id === 'this' || e.callee.object.id === 'self') && stored.has(e.callee.name) && e.args.length === 1) roles.set(stored.get(e.callee.name)!, 'activation');
        e.args.forEach((a) => visit(a.value));
        visit(e.callee);
      };
      function walk(body: Stmt[]): void { body.forEach((b) => {
        if (b.kind === 'return' && b.value) visit(b.value);
        else if (b.kind === 'assign') visit(b.value);
        else if (b.kind === 'expr') visit(b.expr);
        childBlocks(b).forEach(walk);
      }); }
      walk(call.body);
      if (roles.size) out.set(st.cls.name, roles);
    }
  }
  return out;
}

function parameterRoles(modules: ParsedModule[]): Map<string, Role[]> {
  const out = new Map<string, Role[]>();
  for (const m of modules) {
    for (const s of m.ir.body) {
      let params: string[] | undefined;
      let name: string | undefined;
      if (s.kind === 'function') { name = s.fn.name; params = s.fn.params.map((p) => p.name); }
      else if (s.kind === 'class') {
        const init = methodOf(s.cls, ['__init__', 'constructor']);
        if (init) { name = s.cls.name; params = init.params.map((p) => p.name).filter((p) => p !== 'self'); }
      }
      if (!name || !params) continue;
      const roles = params.map((p) => { const r = roleOfKey(p); return r === 'activation' || r === 'loss' ? r : undefined; });
      if (roles.some(Boolean)) out.set(name, roles as Role[]);
    }
  }
  return out;
}

// ---------------------------------------------------------------- decision

export interface DetectOptions {
  /** Uses from files not being reported (the rest of the workspace) still count. */
  context?: ParsedModule[];
}

export function detectFunctions(modules: ParsedModule[], options: DetectOptions = {}): DetectedFunction[] {
  const all = [...modules, ...(options.context ?? []).filter((c) => !modules.some((m) => m.doc.path === c.doc.path))];
  const uses = collectUses(all, parameterRoles(all));
  const out: DetectedFunction[] = [];
  for (const module of modules) {
    for (const c of collectCandidates(module)) {
      const found = decide(c, usesOf(c, all, uses));
      if (found) out.push(found);
    }
  }
  return out;
}

function usesOf(c: Candidate, all: ParsedModule[], index: UseIndex): Use[] {
  const own = index.uses.get(useKey(c.module.doc.path, c.name)) ?? [];
  const foreign: Use[] = [];
  for (const m of all) {
    if (m.doc.path === c.module.doc.path) continue;
    for (const [alias, imp] of importsOf(m.ir).workspace) {
      if (imp.name !== c.name || !moduleMatches(imp.module, c.module.doc.path)) continue;
      foreign.push(...(index.uses.get(useKey(m.doc.path, alias)) ?? []));
    }
  }
  return [...own, ...foreign];
}

/** Does an import's module string (`.losses`, `pkg.losses`, `./model`) name this file? */
export function moduleMatches(module: string, path: string): boolean {
  const file = path.replace(/\\/g, '/').replace(/\.(py|ipynb|js|ts|mjs|cjs|tsx|jsx|mts|cts)$/, '');
  const parts = module.replace(/^(\.\/|\.\.\/)+/, '').replace(/^\.+/, '').split(/[./]/).filter(Boolean);
  if (parts.length === 0) return false;
  const tail = parts.join('/');
  return file === tail || file === `${tail}/__init__` || file.endsWith(`/${tail}`) || file.endsWith(`/${tail}/__init__`);
}

function directive(c: Candidate): string | undefined {
  const line = c.nameSpan.startLine;
  const comment = c.module.ir.comments.get(line) ?? c.module.ir.comments.get(c.span.startLine);
  const m = comment ? /gradprobe:\s*(activation|loss|skip)\b/.exec(comment) : null;
  return m?.[1];
}

function decide(c: Candidate, uses: Use[]): DetectedFunction | undefined {
  const override = directive(c);
  if (override === 'skip') return undefined;
  if (c.shape === 'lambda') {
    // Found at its use: the use says what it is.
    const isLoss = c.signals.some((sig) => /loss|criterion|objective/i.test(sig));
    return { name: c.name, kind: isLoss ? 'loss' : 'activation', framework: c.module.framework, module: c.module, shape: c.shape, def: c.def, span: c.span, nameSpan: c.nameSpan,
      detectedBy: c.signals, inputs: isLoss ? c.inputs.slice(0, 2) : c.inputs.slice(0, 1), customGradient: false };
  }
  const oneInput = c.requiredInputs <= 1 && c.inputs.length >= 1;
  const twoInputs = c.inputs.length >= 2 && c.requiredInputs <= 2 ? true : c.requiredInputs === 2;
  const evidence = new Set<string>(c.signals);
  const result = (kind: FunctionKind): DetectedFunction => ({
    name: c.name, kind, framework: c.module.framework, module: c.module, shape: c.shape, def: c.def, cls: c.cls, inner: c.inner,
    span: c.span, nameSpan: c.nameSpan, detectedBy: [...evidence], inputs: kind === 'activation' ? c.inputs.slice(0, 1) : c.inputs.slice(0, 2),
    callSite: callSiteOf(uses, c), customGradient: c.customGradient,
  });
  if (override === 'activation' || override === 'loss') {
    evidence.add(`comment:gradprobe: ${override}`);
    return result(override);
  }
  const lossBase = c.frameworkBases.some((b) => /(losses\.Loss|_Loss|modules\.loss\.\w+|keras\.losses\.\w+Loss?)$/.test(b) || /^keras\.losses\./.test(b));
  // Printed or computed under no_grad: a reported number — a metric unless its name says loss.
  const printedOnly = uses.some((u) => u.role === 'metric' && /printed|no_grad/.test(u.how)) && !/loss/i.test(c.name);
  const strongMetric = uses.some((u) => u.role === 'metric' && !/printed|no_grad/.test(u.how));
  const vetoLoss = strongMetric || printedOnly || (metricName.test(c.name) && !/loss/i.test(c.name));
  const actUses = uses.filter((u) => u.role === 'activation');
  const lossUses = uses.filter((u) => u.role === 'loss');
  const registry = uses.filter((u) => u.role === 'registry');
  for (const u of [...actUses, ...lossUses, ...registry]) evidence.add(u.how);
  // Classes that build sub-layers or multiply by weight matrices are layers or models; a reshaping body is plumbing.
  const isModel = c.hasSubLayers || (c.shape === 'class' && bodyCalls(c.inner, denseOps)) || bodyCalls(c.inner ?? c.def, shapeOps);

  if (actUses.length && oneInput && !isModel) return result('activation');
  if (lossUses.length && (twoInputs || c.requiredInputs >= 2) && !vetoLoss) return result('loss');
  if (vetoLoss && (strongMetric || printedOnly || !lossUses.length)) return undefined;
  if (lossBase && c.inputs.length >= 2) return result('loss');
  const sig = isLossSignature(c.inputs);
  if (sig && !isModel) {
    evidence.add(sig);
    return result('loss');
  }
  if (c.inputs.length >= 2 && lossName.test(c.name) && !isModel && c.requiredInputs >= 2) {
    evidence.add('name');
    return result('loss');
  }
  if (oneInput && !isModel) {
    const isAutograd = c.frameworkBases.some((b) => /autograd\.Function$/.test(b));
    if (c.customGradient || isAutograd) return result('activation');
    if (registry.length || c.registered) return result('activation');
    if (activationName.test(c.name)) {
      evidence.add('name');
      return result('activation');
    }
    if (/\bactivation\b|\bnonlinearit/i.test(c.def?.docstring ?? c.cls?.docstring ?? '')) {
      evidence.add('docstring');
      return result('activation');
    }
  }
  if ((registry.length || c.registered) && c.requiredInputs >= 2 && !vetoLoss) return result('loss');
  return undefined;
}

function callSiteOf(uses: Use[], c: Candidate): DetectedFunction['callSite'] {
  if (c.shape !== 'factory' && c.shape !== 'class') return undefined;
  const withArgs = uses.find((u) => u.callArgs && u.callArgs.length > 0);
  return withArgs?.callArgs ? { args: withArgs.callArgs, module: c.module } : undefined;
}
