// Python's `math` module, the `operator` module, and JavaScript's Math: plain numbers in,
// plain numbers out (tensors fall through to the tensor ops).
import { row, type OpRow } from '../table';

export const pythonOps: OpRow[] = [
  ...['exp', 'log', 'log1p', 'expm1', 'sqrt', 'tanh', 'sin', 'cos', 'tan', 'erf', 'erfc', 'floor', 'ceil', 'log2', 'log10', 'sinh', 'cosh', 'atan', 'asin', 'acos']
    .map((f) => row([`math.${f}`], `py_${f}`, ['x'])),
  row(['math.pow'], 'py_pow', ['x', 'y']),
  row(['math.isnan'], 'py_isnan', ['x']),
  row(['math.isinf'], 'py_isinf', ['x']),
  row(['math.fabs'], 'py_fabs', ['x']),
  row(['builtins.abs'], 'abs', ['x']),
  row(['operator.add'], 'add', ['x', 'y']),
  row(['operator.pow'], 'pow', ['x', 'y']),
  row(['operator.maximum'], 'maximum', ['x', 'y']),
  row(['operator.minimum'], 'minimum', ['x', 'y']),
  ...['exp', 'log', 'log1p', 'expm1', 'sqrt', 'tanh', 'sin', 'cos', 'tan', 'floor', 'ceil', 'log2', 'log10', 'sinh', 'cosh', 'atan', 'asin', 'acos', 'abs', 'sign', 'round', 'trunc', 'cbrt']
    .map((f) => row([`Math.${f}`], `js_${f}`, ['x'])),
  row(['Math.pow'], 'py_pow', ['x', 'y']),
  row(['Math.max'], 'js_max', ['*xs']),
  row(['Math.min'], 'js_min', ['*xs']),
];
