import type { TfliteQuantization } from "./model.js";

/*
 * Turning a constant's stored bytes into float32 values: the importer runs every model in float32,
 * so quantised weights are expanded once, at load time. Pure functions on typed arrays.
 */

/** IEEE 754 half → single precision, including subnormals, infinities and NaN. */
export function float16ToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** A little-endian float16 array (as bytes) → float32. */
export function decodeFloat16(bytes: Uint8Array): Float32Array {
  const n = bytes.length >> 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = float16ToFloat32(bytes[2 * i]! | (bytes[2 * i + 1]! << 8));
  return out;
}

/**
 * Affine dequantisation `(q − zeroPoint) × scale`, per tensor (one scale) or per channel along
 * `quantizedDimension` of `shape` (one scale and zero point per index of that dimension).
 */
export function dequantize(values: ArrayLike<number>, shape: readonly number[], q: TfliteQuantization): Float32Array {
  const out = new Float32Array(values.length);
  if (q.scale.length === 1) {
    const s = q.scale[0]!;
    const z = q.zeroPoint[0] ?? 0;
    for (let i = 0; i < values.length; i++) out[i] = (values[i]! - z) * s;
    return out;
  }
  // Per channel: the index along `dim` of flat element i is floor(i / inner) mod channels.
  const dim = q.quantizedDimension;
  const channels = shape[dim]!;
  let inner = 1;
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d]!;
  for (let i = 0; i < values.length; i++) {
    const c = Math.floor(i / inner) % channels;
    out[i] = (values[i]! - (q.zeroPoint[c] ?? 0)) * q.scale[c]!;
  }
  return out;
}

/**
 * The quantisation of a conv's int32 bias when the file leaves it out: scale = input scale ×
 * weight scale (per output channel when the weights are per channel), zero point 0 — the rule
 * TFLite's int8 kernels rely on.
 */
export function biasQuantization(inputScale: number, weight: TfliteQuantization, channels: number): TfliteQuantization {
  const scale = weight.scale.length === 1 ? new Array<number>(channels).fill(inputScale * weight.scale[0]!) : weight.scale.map((s) => inputScale * s);
  return { scale, zeroPoint: scale.map(() => 0), quantizedDimension: 0 };
}
