/*
 * The maths of combining style bottlenecks, on plain arrays: several styles blend as a weighted
 * mean, and strength < 1 moves the result towards the content image's own bottleneck (Magenta's
 * interpolation: strength·style + (1 − strength)·content).
 */

/** Weighted mean of equal-length vectors; weights are normalised to sum to 1. */
export function blendBottlenecks(bottlenecks: readonly Float32Array[], weights: readonly number[]): Float32Array {
  if (bottlenecks.length === 0 || bottlenecks.length !== weights.length) {
    throw new RangeError(`blendBottlenecks: ${bottlenecks.length} bottlenecks but ${weights.length} weights`);
  }
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new RangeError("blendBottlenecks: the weights sum to zero");
  const n = bottlenecks[0]!.length;
  const out = new Float32Array(n);
  bottlenecks.forEach((b, k) => {
    if (b.length !== n) throw new RangeError(`blendBottlenecks: bottleneck ${k} has ${b.length} values, expected ${n}`);
    const w = weights[k]! / total;
    for (let i = 0; i < n; i++) out[i] = out[i]! + w * b[i]!;
  });
  return out;
}

/** strength·style + (1 − strength)·content. */
export function interpolateBottleneck(style: Float32Array, content: Float32Array, strength: number): Float32Array {
  const out = new Float32Array(style.length);
  for (let i = 0; i < style.length; i++) out[i] = strength * style[i]! + (1 - strength) * content[i]!;
  return out;
}
