import * as tf from "@tensorflow/tfjs-core";
import { PasticheError } from "../errors.js";
import { BLOCK_SIZES, blockConvFilter, blockedConv2d, convBlockSize, type BlockedConvFilter } from "../ops/blockedConv2d.js";
import { instanceNorm } from "../ops/instanceNorm.js";
import { fallbackBiasQuantization, type ConstantValue } from "./constants.js";
import { upsampleConv2d, upsampleConvFilter } from "../ops/upsampleConv2d.js";
import type { PlannedInstanceNorm, PlannedUpsampleConv } from "./fuse.js";
import type { TfliteModel, TfliteOperator } from "./model.js";
import { ActivationFunctionType, BuiltinOperator, operatorName } from "./schema.js";

/*
 * The TFLite operators Pastiche implements, as tfjs ops in float32. Each entry prepares an operator
 * once at load time (weights transposed to tfjs' layouts, constant arguments read) and returns the
 * function that runs it. Quantised models run in float: QUANTIZE and DEQUANTIZE pass values through.
 */

/** Runs one operator: `inputs[i]` is the value of the operator's i-th input (undefined if omitted). */
export type OpKernel = (inputs: readonly (tf.Tensor | undefined)[]) => tf.Tensor;

export interface PrepareContext {
  readonly source: string;
  readonly model: TfliteModel;
  /** The decoded constant at a tensor index, undefined for activations. */
  constant(index: number, fallback?: Parameters<typeof fallbackBiasQuantization>): ConstantValue | undefined;
  /** Keep a tensor for the model's lifetime (disposed with the model). */
  own<T extends tf.Tensor>(t: T): T;
}

type Prepare = (op: TfliteOperator, ctx: PrepareContext) => OpKernel;

function fail(ctx: PrepareContext, op: TfliteOperator, message: string): PasticheError {
  return new PasticheError("INVALID_WEIGHTS", `${ctx.source}: operator ${op.index} (${op.opName}) ${message}`);
}

function needConstant(ctx: PrepareContext, op: TfliteOperator, slot: number, what: string): ConstantValue {
  const index = op.inputs[slot];
  const c = index === undefined || index < 0 ? undefined : ctx.constant(index);
  if (!c) throw fail(ctx, op, `needs a constant ${what} (input ${slot}); computed ${what}s are not supported`);
  return c;
}

function needInputs(ctx: PrepareContext, op: TfliteOperator, min: number): void {
  if (op.inputs.length < min || op.inputs.slice(0, min).some((i) => i < 0) || op.outputs.length < 1) {
    throw fail(ctx, op, `has ${op.inputs.length} inputs and ${op.outputs.length} outputs, expected at least ${min} and 1`);
  }
}

/** The fused activation as tfjs' fused-op name, plus what has to be applied after. */
function activationOf(ctx: PrepareContext, op: TfliteOperator): { fused: tf.fused.Activation; after?: (x: tf.Tensor) => tf.Tensor } {
  switch (op.options.activation ?? ActivationFunctionType.NONE) {
    case ActivationFunctionType.NONE:
      return { fused: "linear" };
    case ActivationFunctionType.RELU:
      return { fused: "relu" };
    case ActivationFunctionType.RELU6:
      return { fused: "relu6" };
    case ActivationFunctionType.RELU_N1_TO_1:
      return { fused: "linear", after: (x) => tf.clipByValue(x, -1, 1) };
    case ActivationFunctionType.TANH:
      return { fused: "linear", after: (x) => tf.tanh(x) };
    default:
      throw fail(ctx, op, `has unsupported fused activation ${op.options.activation}`);
  }
}

function applyActivation(act: ReturnType<typeof activationOf>, x: tf.Tensor): tf.Tensor {
  switch (act.fused) {
    case "relu":
      return tf.relu(x);
    case "relu6":
      return tf.relu6(x);
    default:
      return act.after ? act.after(x) : x;
  }
}

function stridesOf(ctx: PrepareContext, op: TfliteOperator): { strides: [number, number]; dilations: [number, number] } {
  const { strideH = 0, strideW = 0, dilationH = 1, dilationW = 1 } = op.options;
  if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1) {
    throw fail(ctx, op, `has strides ${strideH}×${strideW} and dilation ${dilationH}×${dilationW}; each must be at least 1`);
  }
  return { strides: [strideH, strideW], dilations: [dilationH, dilationW] };
}

/** The bias of a conv (input 2), dequantised, on the host; undefined when omitted. */
function convBiasValues(ctx: PrepareContext, op: TfliteOperator, channels: number): Float32Array | undefined {
  const index = op.inputs[2];
  if (index === undefined || index < 0) return undefined;
  const { tensors } = ctx.model;
  const input = tensors[op.inputs[0]!];
  const filter = tensors[op.inputs[1]!]!;
  const c = ctx.constant(index, [tensors[index]!, input, filter]);
  if (!c) throw fail(ctx, op, "needs a constant bias (input 2)");
  if (c.values.length !== channels) throw fail(ctx, op, `has a bias of ${c.values.length} values for ${channels} output channels`);
  return Float32Array.from(c.values);
}

/** The bias of a conv (input 2) as a tensor; undefined when omitted. */
function convBias(ctx: PrepareContext, op: TfliteOperator, channels: number): tf.Tensor1D | undefined {
  const values = convBiasValues(ctx, op, channels);
  return values && ctx.own(tf.tensor1d(values));
}

/**
 * TFLite's OHWI filter in tfjs' HWIO layout, on the host: prepared filters are built from host
 * values, never read back from a device (a sync readback fails on some WebGPU adapters).
 */
export function ohwiToHwio(values: ArrayLike<number>, [out, kh, kw, cin]: readonly [number, number, number, number]): Float32Array {
  const hwio = new Float32Array(out * kh * kw * cin);
  for (let o = 0; o < out; o++)
    for (let y = 0; y < kh; y++)
      for (let x = 0; x < kw; x++) for (let i = 0; i < cin; i++) hwio[((y * kw + x) * cin + i) * out + o] = values[((o * kh + y) * kw + x) * cin + i]!;
  return hwio;
}

const conv2d: Prepare = (op, ctx) => {
  needInputs(ctx, op, 2);
  const w = needConstant(ctx, op, 1, "filter");
  if (w.shape.length !== 4) throw fail(ctx, op, `has a filter of shape [${w.shape.join(",")}], expected [out,h,w,in]`);
  const [out, kh, kw, cin] = w.shape as [number, number, number, number];
  // TFLite stores OHWI; tfjs wants HWIO.
  const biasValues = convBiasValues(ctx, op, out);
  const bias = biasValues && ctx.own(tf.tensor1d(biasValues));
  const { strides, dilations } = stridesOf(ctx, op);
  const act = activationOf(ctx, op);
  const pad = op.options.padding === "VALID" ? "valid" : "same";
  const values = ohwiToHwio(w.values, [out, kh, kw, cin]);
  const filter = ctx.own(tf.tensor4d(values, [kh, kw, cin, out]));
  // Large kernels from or to a few channels (Magenta's first and last 9×9 convs, 3 → 8 and 8 → 3)
  // run faster on pixel blocks; the best block size depends on the backend (convBlockSize), so
  // each size that some backend picks is prepared here and the kernel picks at run time.
  if (pad === "valid" && strides.every((s) => s === 1) && dilations.every((d) => d === 1) && Math.min(kh, kw) >= 5 && Math.min(cin, out) < 8) {
    const blocked = new Map<number, BlockedConvFilter>();
    for (const b of BLOCK_SIZES) {
      const f = blockConvFilter(values, filter.shape, biasValues, b);
      ctx.own(f.filter);
      if (f.bias) ctx.own(f.bias);
      blocked.set(b, f);
    }
    return ([x]) => {
      const f = blocked.get(convBlockSize(tf.getBackend(), cin, out));
      const y = f
        ? blockedConv2d(x as tf.Tensor4D, f, act.fused)
        : tf.fused.conv2d({ x: x as tf.Tensor4D, filter, strides, pad, dilations, ...(bias ? { bias } : {}), activation: act.fused });
      return act.after ? act.after(y) : y;
    };
  }
  return ([x]) => {
    const y = tf.fused.conv2d({ x: x as tf.Tensor4D, filter, strides, pad, dilations, ...(bias ? { bias } : {}), activation: act.fused });
    return act.after ? act.after(y) : y;
  };
};

const depthwiseConv2d: Prepare = (op, ctx) => {
  needInputs(ctx, op, 2);
  const w = needConstant(ctx, op, 1, "filter");
  if (w.shape.length !== 4 || w.shape[0] !== 1) throw fail(ctx, op, `has a filter of shape [${w.shape.join(",")}], expected [1,h,w,channels]`);
  const [, kh, kw, total] = w.shape as [number, number, number, number];
  const inChannels = ctx.model.tensors[op.inputs[0]!]!.shape[3] ?? -1;
  const multiplier = op.options.depthMultiplier && op.options.depthMultiplier > 0 ? op.options.depthMultiplier : inChannels > 0 ? total / inChannels : 1;
  if (!Number.isInteger(multiplier) || total % multiplier !== 0) {
    throw fail(ctx, op, `has a filter of ${total} channels that does not match depth multiplier ${multiplier}`);
  }
  // [1,h,w,in·m] with channel index in·m + k → tfjs' [h,w,in,m] is the same memory.
  const filter = ctx.own(tf.tensor4d(Float32Array.from(w.values), [kh, kw, total / multiplier, multiplier]));
  const bias = convBias(ctx, op, total);
  const { strides, dilations } = stridesOf(ctx, op);
  const act = activationOf(ctx, op);
  const pad = op.options.padding === "VALID" ? "valid" : "same";
  return ([x]) => {
    const y = tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter, strides, pad, dilations, ...(bias ? { bias } : {}), activation: act.fused });
    return act.after ? act.after(y) : y;
  };
};

function binary(fn: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, withActivation: boolean): Prepare {
  return (op, ctx) => {
    needInputs(ctx, op, 2);
    const act = withActivation ? activationOf(ctx, op) : { fused: "linear" as const };
    return ([a, b]) => applyActivation(act, fn(a!, b!));
  };
}

function unary(fn: (x: tf.Tensor) => tf.Tensor): Prepare {
  return (op, ctx) => {
    needInputs(ctx, op, 1);
    return ([x]) => fn(x!);
  };
}

const mean: Prepare = (op, ctx) => {
  needInputs(ctx, op, 2);
  const axes = Array.from(needConstant(ctx, op, 1, "axis").values);
  const keepDims = op.options.keepDims ?? false;
  return ([x]) => {
    const rank = x!.rank;
    const normalised = [...new Set(axes.map((a) => (a < 0 ? a + rank : a)))];
    return tf.mean(x!, normalised, keepDims);
  };
};

const mirrorPad: Prepare = (op, ctx) => {
  needInputs(ctx, op, 2);
  const p = needConstant(ctx, op, 1, "paddings");
  if (p.shape.length !== 2 || p.shape[1] !== 2) throw fail(ctx, op, `has paddings of shape [${p.shape.join(",")}], expected [rank,2]`);
  const paddings = Array.from({ length: p.shape[0]! }, (_, i): [number, number] => [p.values[2 * i]!, p.values[2 * i + 1]!]);
  const mode = op.options.mirrorMode ?? "reflect";
  return ([x]) => tf.mirrorPad(x!, paddings, mode);
};

/**
 * The size argument of RESIZE_NEAREST_NEIGHBOR is a constant written for the size the model was
 * exported at. To run at other sizes, the scale factor is derived from the static shapes of the
 * operator's input and output (192→384 is ×2, 384→384 is ×1), and applied to the actual input.
 */
const resizeNearest: Prepare = (op, ctx) => {
  needInputs(ctx, op, 2);
  const size = needConstant(ctx, op, 1, "size");
  if (size.values.length !== 2) throw fail(ctx, op, `has a size of ${size.values.length} values, expected 2`);
  const inShape = ctx.model.tensors[op.inputs[0]!]!.shape;
  const outShape = ctx.model.tensors[op.outputs[0]!]!.shape;
  const staticIn = [inShape[1] ?? -1, inShape[2] ?? -1];
  const staticOut = [size.values[0]!, size.values[1]!];
  if (outShape[1] !== undefined && outShape[1] > 0 && outShape[1] !== staticOut[0]) {
    throw fail(ctx, op, `resizes to ${staticOut.join("×")} but its output is declared ${outShape[1]}×${outShape[2] ?? "?"}`);
  }
  const factors = staticIn.every((d) => d > 0) ? [staticOut[0]! / staticIn[0]!, staticOut[1]! / staticIn[1]!] : undefined;
  // A sane network upsamples by small factors; anything else is a corrupt file, not a huge allocation.
  if (staticOut.some((d) => !(d >= 1 && d <= 65536)) || factors?.some((f) => !(f > 0 && f <= 64))) {
    throw fail(ctx, op, `resizes ${staticIn.join("×")} to ${staticOut.join("×")}, which is out of range`);
  }
  const alignCorners = op.options.alignCorners ?? false;
  const halfPixelCenters = op.options.halfPixelCenters ?? false;
  return ([x]) => {
    const [, h, w] = x!.shape as [number, number, number, number];
    const target: [number, number] = factors
      ? [Math.max(1, Math.round(h * factors[0]!)), Math.max(1, Math.round(w * factors[1]!))]
      : [staticOut[0]!, staticOut[1]!];
    if (target[0] === h && target[1] === w) return tf.clone(x!);
    return tf.image.resizeNearestNeighbor(x as tf.Tensor4D, target, alignCorners, halfPixelCenters);
  };
};

/** In a float run, (de)quantisation is the identity; `clone` shares the data, it does not copy. */
const passThrough: Prepare = (op, ctx) => {
  needInputs(ctx, op, 1);
  return ([x]) => tf.clone(x!);
};

const KERNELS: Readonly<Record<number, Prepare>> = {
  [BuiltinOperator.CONV_2D]: conv2d,
  [BuiltinOperator.DEPTHWISE_CONV_2D]: depthwiseConv2d,
  [BuiltinOperator.ADD]: binary((a, b) => tf.add(a, b), true),
  [BuiltinOperator.SUB]: binary((a, b) => tf.sub(a, b), true),
  [BuiltinOperator.MUL]: binary((a, b) => tf.mul(a, b), true),
  [BuiltinOperator.SQUARED_DIFFERENCE]: binary((a, b) => tf.squaredDifference(a, b), false),
  [BuiltinOperator.MEAN]: mean,
  [BuiltinOperator.RSQRT]: unary((x) => tf.rsqrt(x)),
  [BuiltinOperator.LOGISTIC]: unary((x) => tf.sigmoid(x)),
  [BuiltinOperator.MIRROR_PAD]: mirrorPad,
  [BuiltinOperator.RESIZE_NEAREST_NEIGHBOR]: resizeNearest,
  [BuiltinOperator.QUANTIZE]: passThrough,
  [BuiltinOperator.DEQUANTIZE]: passThrough,
};

/** Names of the operators the importer implements, for messages and docs. */
export const SUPPORTED_TFLITE_OPERATORS: readonly string[] = Object.keys(KERNELS).map((k) => operatorName(Number(k)));

/** How many leading inputs an operator reads when it runs; the rest are consumed when prepared. */
export function runtimeArity(opcode: number): number {
  switch (opcode) {
    case BuiltinOperator.ADD:
    case BuiltinOperator.SUB:
    case BuiltinOperator.MUL:
    case BuiltinOperator.SQUARED_DIFFERENCE:
      return 2;
    default:
      return 1;
  }
}

/** The kernel of a fused instance norm (fuse.ts); it reads x, γ and β, in that order. */
export function instanceNormKernel(step: PlannedInstanceNorm): OpKernel {
  const relu = step.activation === ActivationFunctionType.RELU;
  return ([x, scale, offset]) => {
    const y = instanceNorm(x as tf.Tensor4D, scale!, offset!, step.epsilon);
    return relu ? tf.relu(y) : y;
  };
}

/** The kernel of a fused upsample-pad-conv (fuse.ts), prepared from its CONV_2D; it reads the low-resolution x. */
export function upsampleConvKernel(step: PlannedUpsampleConv, ctx: PrepareContext): OpKernel {
  const op = step.conv;
  const w = needConstant(ctx, op, 1, "filter");
  const [out, kh, kw, cin] = w.shape as [number, number, number, number];
  const act = activationOf(ctx, op);
  const prepared = upsampleConvFilter(ohwiToHwio(w.values, [out, kh, kw, cin]), [kh, kw, cin, out], convBiasValues(ctx, op, out));
  ctx.own(prepared.filter);
  if (prepared.bias) ctx.own(prepared.bias);
  return ([x]) => {
    const y = upsampleConv2d(x as tf.Tensor4D, prepared, act.fused);
    return act.after ? act.after(y) : y;
  };
}

/** Prepare one operator; an unsupported one is an INVALID_WEIGHTS naming it. */
export function prepareOperator(op: TfliteOperator, ctx: PrepareContext): OpKernel {
  const prepare = KERNELS[op.opcode];
  if (!prepare || op.opName.startsWith("custom")) {
    throw new PasticheError(
      "INVALID_WEIGHTS",
      `${ctx.source}: unsupported TFLite operator ${op.opName} (operator ${op.index}); supported: ${SUPPORTED_TFLITE_OPERATORS.join(", ")}`,
    );
  }
  return prepare(op, ctx);
}
