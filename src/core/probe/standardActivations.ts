// The standard activations in closed form (f, f′, f″): the panel's baselines, and the stacks the
// depth probe measures a function's signal against (GP111 compares with ReLU, tanh, GELU and SiLU).

export type BaselineName = 'ReLU' | 'GELU' | 'SiLU' | 'tanh' | 'sigmoid';
export const baselineNames: BaselineName[] = ['ReLU', 'GELU', 'SiLU', 'tanh', 'sigmoid'];

/** erf from Numerical Recipes' erfc fit (fractional error below 1.2e-7 everywhere): JavaScript has no Math.erf. */
export function erf(x: number): number {
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - y : y - 1;
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
const phiPdf = (z: number): number => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);

/** f, f′ and f″ of a standard activation in closed form (ReLU's f″ is 0 away from its kink). */
export function baselineActivation(name: BaselineName, x: number): { f: number; df: number; d2f: number } {
  switch (name) {
    case 'ReLU': return { f: Math.max(0, x), df: x > 0 ? 1 : 0, d2f: 0 };
    case 'GELU': {
      const cdf = 0.5 * (1 + erf(x / Math.SQRT2));
      const pdf = phiPdf(x);
      return { f: x * cdf, df: cdf + x * pdf, d2f: pdf * (2 - x * x) };
    }
    case 'SiLU': {
      const s = sigmoid(x);
      return { f: x * s, df: s * (1 + x * (1 - s)), d2f: s * (1 - s) * (2 + x * (1 - 2 * s)) };
    }
    case 'tanh': {
      const t = Math.tanh(x);
      return { f: t, df: 1 - t * t, d2f: -2 * t * (1 - t * t) };
    }
    case 'sigmoid': {
      const s = sigmoid(x);
      return { f: s, df: s * (1 - s), d2f: s * (1 - s) * (1 - 2 * s) };
    }
  }
}
