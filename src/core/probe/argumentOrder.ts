// GP207, the one place it is decided: does the function treat the argument its framework passes as
// the target as if it were the prediction? The evidence, strongest first: a framework loss called
// with the two swapped; the target logged and weighted by a prediction that is never logged; a
// signature named against the framework's calling convention. At most one finding, and none for a loss
// whose value does not change with its inputs exchanged (there no order is wrong).
import type { DetectedFunction } from '../detect/detect';
import { predictionIndex } from '../detect/parameterRoles';
import type { Span } from '../ir/ir';
import type { LossMapping } from '../translate/translate';
import type { LossFacts } from './lossFacts';
import type { LossFamily } from './lossFamily';

/** How each framework calls a loss: Keras and TF.js pass the target first, PyTorch the prediction. */
export const callingConventions: Partial<Record<DetectedFunction['framework'], { who: string; call: string; first: 'target' | 'prediction' }>> = {
  tensorflow: { who: 'Keras', call: 'loss(y_true, y_pred)', first: 'target' },
  tfjs: { who: 'TF.js', call: 'loss(yTrue, yPred)', first: 'target' },
  pytorch: { who: 'PyTorch', call: 'criterion(input, target), prediction first', first: 'prediction' },
};

export interface ArgumentOrderInput {
  target: DetectedFunction;
  mapping: LossMapping;
  facts: LossFacts;
  family: LossFamily;
  /** The parameters as the probe maps them (by the mapping). */
  names: { pred: string; target: string };
  /**
   * The loss has the same value with its two inputs exchanged, on every probe input tried (soft Dice:
   * 2·Σab / (Σa + Σb)): their order cannot be wrong.
   */
  symmetric?: boolean;
}

export interface ArgumentOrderVerdict {
  message: string;
  /** Where the evidence is: the misused op, or the function's name for the signature. */
  span?: Span;
  evidence: Record<string, unknown>;
}

export function argumentOrder({ target, mapping, facts, family, names, symmetric }: ArgumentOrderInput): ArgumentOrderVerdict | undefined {
  if (symmetric) return undefined;
  const swap = facts.swappedArguments[0];
  if (swap) {
    return {
      message: `${swap.message} (${mapping.label}): the arguments are swapped.`,
      span: swap.span,
      evidence: { from: 'a framework loss call', parameter: names.target, op: swap.what, line: swap.span.startLine + 1 },
    };
  }
  const predLogged = facts.predLog.length || facts.predLogComplement.length || facts.predLogShifted.length || family.space === 'logits';
  const logged = facts.targetLogTimesPred[0];
  if (logged && !predLogged) {
    return {
      message: `${logged.what} is applied to ${names.target}, the target in ${mapping.label}, and the result is weighted by ${names.pred}, the prediction, which is never logged: the target is treated as the prediction. Swap them (-Σ ${names.target} · log ${names.pred}).`,
      span: logged.span,
      evidence: { from: 'the body', parameter: names.target, op: logged.what, line: logged.span.startLine + 1, why: `log/sqrt of ${names.target} multiplied by ${names.pred}` },
    };
  }
  // The signature: the names (as parameterRoles reads them) say one order, the framework calls the other.
  const convention = callingConventions[target.framework];
  const [first, second] = target.inputs;
  if (!convention || !first || !second) return undefined;
  // Keras and TF.js call a loss positionally, whatever its names say. Nothing in PyTorch calls a loss
  // function for the user: there the names decide, unless a call in the workspace passes the other order.
  if (convention.first === 'prediction' && mapping.decidedBy !== 'call site' && mapping.decidedBy !== 'framework') return undefined;
  const conventionPredIndex = convention.first === 'prediction' ? 0 : 1;
  const byNames = predictionIndex(target.inputs, target.framework);
  if (byNames === conventionPredIndex) return undefined;
  const [gets1, gets2] = convention.first === 'target' ? ['target', 'prediction'] : ['prediction', 'target'];
  const used = mapping.predIndex === byNames ? `the probe used the names' order, ${mapping.label}` : `the probe followed the call, ${mapping.label}`;
  return {
    message: `${convention.who} calls a loss as ${convention.call}, but the parameters are named (${first}, ${second}): '${first}' receives the ${gets1} and '${second}' the ${gets2}. Swap the parameters (${used})`,
    evidence: { from: 'the signature', parameters: [first, second], parameter: first, receives: gets1, convention: convention.call, mapping: mapping.label },
  };
}
