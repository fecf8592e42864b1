import type { TfliteModel, TfliteOperator } from "./model.js";
import { ActivationFunctionType, BuiltinOperator } from "./schema.js";

/*
 * A rewrite of a TFLite graph's operator list before it is prepared, so that it runs in fewer,
 * larger tfjs ops. Pure: it reads indices and opcodes only, never tensor data.
 *
 *  - QUANTIZE/DEQUANTIZE of an activation is the identity in a float run: its output is made an
 *    alias of its input and the operator dropped (those of constants stay: the loader folds them).
 *  - Instance normalisation as TFLite writes it, ten operators of which five read or write the whole
 *    activation — m = MEAN(x); v = MEAN(SQUARED_DIFFERENCE(x, m)); s = RSQRT(v + ε)·γ;
 *    y = x·s + (β − m·s) — becomes one `instanceNorm` step (two passes, one kernel on tfjs-node).
 *  - "Nearest ×2 upsample → mirror pad by 1 → valid 3×3 conv" becomes one `upsampleConv` step: a
 *    sub-pixel conv on the low-resolution input (ops/upsampleConv2d.ts), with no upsampled image.
 */

/** One step of the rewritten graph: an operator of the file, or a fused pattern. */
export type PlannedStep = { readonly kind: "op"; readonly op: TfliteOperator } | PlannedInstanceNorm | PlannedUpsampleConv;

/** The patterns `planGraph` can fuse. */
export type FusedPattern = "instanceNorm" | "upsampleConv";
export const FUSED_PATTERNS: readonly FusedPattern[] = ["instanceNorm", "upsampleConv"];

export interface PlannedInstanceNorm {
  readonly kind: "instanceNorm";
  /** The index of the pattern's first operator, and its last's output. */
  readonly index: number;
  readonly x: number;
  readonly scale: number;
  readonly offset: number;
  /** ε, read from the file's constant. */
  readonly epsilon: number;
  /** The fused activation of the pattern's final ADD. */
  readonly activation: number;
  readonly output: number;
}

export interface PlannedUpsampleConv {
  readonly kind: "upsampleConv";
  /** The index of the RESIZE_NEAREST_NEIGHBOR, and the conv's output. */
  readonly index: number;
  readonly x: number;
  /** The CONV_2D that read the padded, upsampled x: its filter, bias and activation are used. */
  readonly conv: TfliteOperator;
  readonly output: number;
}

export interface GraphPlan {
  readonly steps: readonly PlannedStep[];
  /** Graph outputs with aliases resolved. */
  readonly outputs: readonly number[];
}

export interface PlanOptions {
  /** A constant's values (decoded, dequantised); undefined for activations. */
  readonly constantValues: (index: number) => ArrayLike<number> | undefined;
  /** Fuse patterns: all (default, true), none (false) or those listed. Aliases are always resolved. */
  readonly fuse?: boolean | readonly FusedPattern[];
}

const isQuant = (op: TfliteOperator): boolean => op.opcode === BuiltinOperator.QUANTIZE || op.opcode === BuiltinOperator.DEQUANTIZE;

export function planGraph(model: TfliteModel, options: PlanOptions): GraphPlan {
  const alias = new Map<number, number>();
  const resolve = (i: number): number => {
    let r = i;
    while (alias.has(r)) r = alias.get(r)!;
    return r;
  };
  // (De)quantisations of constants, folded by the loader: their values are their input's.
  const constantSource = new Map<number, number>();
  const valuesOf = (i: number): ArrayLike<number> | undefined => (i < 0 ? undefined : options.constantValues(constantSource.get(i) ?? i));
  const isConstant = (i: number) => valuesOf(i) !== undefined;
  const ops: TfliteOperator[] = [];
  for (const op of model.operators) {
    const input = op.inputs[0];
    if (isQuant(op) && input !== undefined && input >= 0 && op.outputs[0] !== undefined) {
      if (isConstant(input)) {
        constantSource.set(op.outputs[0], constantSource.get(input) ?? input);
        ops.push(op);
      } else alias.set(op.outputs[0], resolve(input));
      continue;
    }
    ops.push({ ...op, inputs: op.inputs.map((i) => (i < 0 ? i : resolve(i))) });
  }
  const outputs = model.outputs.map(resolve);
  const patterns = new Set(options.fuse === false ? [] : options.fuse === true || options.fuse === undefined ? FUSED_PATTERNS : options.fuse);
  if (patterns.size === 0) return { steps: ops.map((op) => ({ kind: "op", op })), outputs };

  const producer = new Map<number, number>();
  const uses = new Map<number, number>();
  ops.forEach((op, k) => {
    for (const o of op.outputs) producer.set(o, k);
    for (const i of op.inputs) if (i >= 0) uses.set(i, (uses.get(i) ?? 0) + 1);
  });
  for (const o of outputs) uses.set(o, (uses.get(o) ?? 0) + 1);
  const consumers = new Map<number, number[]>();
  ops.forEach((op, k) => {
    for (const i of new Set(op.inputs)) if (i >= 0) consumers.set(i, [...(consumers.get(i) ?? []), k]);
  });

  const fused = new Map<number, PlannedInstanceNorm | PlannedUpsampleConv>();
  const removed = new Set<number>();
  const ctx: MatchContext = { consumers, uses, valuesOf, outputs };
  ops.forEach((op, k) => {
    if (removed.has(k)) return;
    const match =
      op.opcode === BuiltinOperator.MEAN && patterns.has("instanceNorm")
        ? matchInstanceNorm(model, ops, k, ctx)
        : op.opcode === BuiltinOperator.RESIZE_NEAREST_NEIGHBOR && patterns.has("upsampleConv")
          ? matchUpsampleConv(model, ops, k, ctx)
          : undefined;
    if (!match) return;
    for (const j of match.ops) removed.add(j);
    // Placed where the pattern's last operator was: by then its other inputs (γ and β computed
    // elsewhere in the graph, dequantised filters) exist.
    fused.set(match.last, match.step);
  });
  const steps: PlannedStep[] = [];
  ops.forEach((op, k) => {
    const f = fused.get(k);
    if (f) steps.push(f);
    else if (!removed.has(k)) steps.push({ kind: "op", op });
  });
  return { steps, outputs };
}

interface MatchContext {
  readonly consumers: ReadonlyMap<number, readonly number[]>;
  readonly uses: ReadonlyMap<number, number>;
  readonly valuesOf: (i: number) => ArrayLike<number> | undefined;
  readonly outputs: readonly number[];
}

/** An intermediate read exactly `count` times and not a graph output: a pattern may absorb it. */
const usedOnly = (ctx: MatchContext, t: number, count: number): boolean => ctx.uses.get(t) === count && !ctx.outputs.includes(t);

/** The instance-norm pattern rooted at the MEAN at `k`, or undefined when the graph differs in any way. */
function matchInstanceNorm(
  model: TfliteModel,
  ops: readonly TfliteOperator[],
  k: number,
  ctx: MatchContext,
): { ops: number[]; last: number; step: PlannedInstanceNorm } | undefined {
  const mean1 = ops[k]!;
  const x = mean1.inputs[0]!;
  const m = mean1.outputs[0]!;
  if (!mean1.options.keepDims || model.tensors[x]?.shape.length !== 4 || !spatialAxes(ctx.valuesOf(mean1.inputs[1] ?? -1))) return undefined;
  const only = (t: number, count: number) => usedOnly(ctx, t, count);
  const consumerOf = (t: number, opcode: number, other?: (i: number) => boolean): number | undefined =>
    ctx.consumers.get(t)?.find((j) => {
      const o = ops[j]!;
      if (o.opcode !== opcode) return false;
      const rest = o.inputs.filter((i) => i !== t);
      return other === undefined || (rest.length === 1 && other(rest[0]!)) || (rest.length === 0 && other(t));
    });
  // m feeds exactly the SQUARED_DIFFERENCE and the MUL by s.
  if (!only(m, 2)) return undefined;
  const sqd = consumerOf(m, BuiltinOperator.SQUARED_DIFFERENCE, (i) => i === x);
  if (sqd === undefined) return undefined;
  const d = ops[sqd]!.outputs[0]!;
  const mean2 = ctx.consumers.get(d)?.[0];
  if (!only(d, 1) || mean2 === undefined || ops[mean2]!.opcode !== BuiltinOperator.MEAN || !ops[mean2]!.options.keepDims) return undefined;
  if (!spatialAxes(ctx.valuesOf(ops[mean2]!.inputs[1] ?? -1))) return undefined;
  const v = ops[mean2]!.outputs[0]!;
  const addEps = ctx.consumers.get(v)?.[0];
  if (!only(v, 1) || addEps === undefined || ops[addEps]!.opcode !== BuiltinOperator.ADD) return undefined;
  if ((ops[addEps]!.options.activation ?? 0) !== ActivationFunctionType.NONE) return undefined;
  const epsilonValues = ctx.valuesOf(ops[addEps]!.inputs.find((i) => i !== v) ?? -1);
  if (epsilonValues?.length !== 1 || !(epsilonValues[0]! >= 0)) return undefined;
  const epsilon = epsilonValues[0]!;
  const ve = ops[addEps]!.outputs[0]!;
  const rsqrt = ctx.consumers.get(ve)?.[0];
  if (!only(ve, 1) || rsqrt === undefined || ops[rsqrt]!.opcode !== BuiltinOperator.RSQRT) return undefined;
  const r = ops[rsqrt]!.outputs[0]!;
  const mulScale = ctx.consumers.get(r)?.[0];
  if (!only(r, 1) || mulScale === undefined || !isPlainMul(ops[mulScale]!)) return undefined;
  const scale = ops[mulScale]!.inputs.find((i) => i !== r);
  if (scale === undefined) return undefined;
  const s = ops[mulScale]!.outputs[0]!;
  if (!only(s, 2)) return undefined;
  const mulX = consumerOf(s, BuiltinOperator.MUL, (i) => i === x);
  const mulM = consumerOf(s, BuiltinOperator.MUL, (i) => i === m);
  if (mulX === undefined || mulM === undefined || !isPlainMul(ops[mulX]!) || !isPlainMul(ops[mulM]!)) return undefined;
  const xs = ops[mulX]!.outputs[0]!;
  const ms = ops[mulM]!.outputs[0]!;
  const sub = ctx.consumers.get(ms)?.[0];
  if (!only(ms, 1) || sub === undefined || ops[sub]!.opcode !== BuiltinOperator.SUB || ops[sub]!.inputs[1] !== ms) return undefined;
  if ((ops[sub]!.options.activation ?? 0) !== ActivationFunctionType.NONE) return undefined;
  const offset = ops[sub]!.inputs[0]!;
  const b = ops[sub]!.outputs[0]!;
  const addOut = consumerOf(b, BuiltinOperator.ADD, (i) => i === xs);
  if (!only(b, 1) || !only(xs, 1) || addOut === undefined) return undefined;
  const activation = ops[addOut]!.options.activation ?? ActivationFunctionType.NONE;
  if (activation !== ActivationFunctionType.NONE && activation !== ActivationFunctionType.RELU) return undefined;
  const members = [k, sqd, mean2, addEps, rsqrt, mulScale, mulX, mulM, sub, addOut];
  // The fused step runs at the final ADD's place: γ and β must be computed by then.
  if (!producedBefore(ops, scale, addOut) || !producedBefore(ops, offset, addOut)) return undefined;
  return {
    ops: members,
    last: addOut,
    step: { kind: "instanceNorm", index: mean1.index, x, scale, offset, epsilon, activation, output: ops[addOut]!.outputs[0]! },
  };
}

/** The upsample-pad-conv pattern rooted at the RESIZE_NEAREST_NEIGHBOR at `k`, or undefined when the graph differs in any way. */
function matchUpsampleConv(
  model: TfliteModel,
  ops: readonly TfliteOperator[],
  k: number,
  ctx: MatchContext,
): { ops: number[]; last: number; step: PlannedUpsampleConv } | undefined {
  const resize = ops[k]!;
  const x = resize.inputs[0]!;
  const up = resize.outputs[0]!;
  const inShape = model.tensors[x]?.shape ?? [];
  const size = ctx.valuesOf(resize.inputs[1] ?? -1);
  // Exactly ×2 on both axes, from the static shapes (the kernel scales by the same factor at run
  // time); without align-corners, nearest ×2 repeats each pixel, half-pixel centres or not.
  if (resize.options.alignCorners || inShape.length !== 4 || size?.length !== 2 || !(inShape[1]! > 0 && inShape[2]! > 0)) return undefined;
  if (size[0] !== 2 * inShape[1]! || size[1] !== 2 * inShape[2]!) return undefined;
  const only = (t: number) => usedOnly(ctx, t, 1);
  const pad = ctx.consumers.get(up)?.[0];
  if (!only(up) || pad === undefined || ops[pad]!.opcode !== BuiltinOperator.MIRROR_PAD || ops[pad]!.inputs[0] !== up) return undefined;
  const paddings = ctx.valuesOf(ops[pad]!.inputs[1] ?? -1);
  if (!paddings || Array.from(paddings).join() !== "0,0,1,1,1,1,0,0") return undefined;
  const padded = ops[pad]!.outputs[0]!;
  const c = ctx.consumers.get(padded)?.[0];
  if (!only(padded) || c === undefined) return undefined;
  const conv = ops[c]!;
  if (conv.opcode !== BuiltinOperator.CONV_2D || conv.inputs[0] !== padded || conv.options.padding !== "VALID") return undefined;
  const { strideH = 1, strideW = 1, dilationH = 1, dilationW = 1 } = conv.options;
  if (strideH !== 1 || strideW !== 1 || dilationH !== 1 || dilationW !== 1) return undefined;
  const filter = conv.inputs[1] ?? -1;
  const filterShape = model.tensors[filter]?.shape ?? [];
  if (!ctx.valuesOf(filter) || filterShape[1] !== 3 || filterShape[2] !== 3 || filterShape[3] !== inShape[3]) return undefined;
  const bias = conv.inputs[2];
  if (bias !== undefined && bias >= 0 && !ctx.valuesOf(bias)) return undefined;
  return { ops: [k, pad, c], last: c, step: { kind: "upsampleConv", index: resize.index, x, conv, output: conv.outputs[0]! } };
}

const isPlainMul = (op: TfliteOperator): boolean => op.opcode === BuiltinOperator.MUL && (op.options.activation ?? 0) === ActivationFunctionType.NONE;

/** MEAN over H and W of an NHWC tensor: axes {1, 2} (or {−3, −2}). */
function spatialAxes(axes: ArrayLike<number> | undefined): boolean {
  if (!axes || axes.length !== 2) return false;
  const set = new Set(Array.from(axes, (a) => (a < 0 ? a + 4 : a)));
  return set.has(1) && set.has(2);
}

function producedBefore(ops: readonly TfliteOperator[], tensor: number, before: number): boolean {
  const at = ops.findIndex((o) => o.outputs.includes(tensor));
  return at < before;
}
