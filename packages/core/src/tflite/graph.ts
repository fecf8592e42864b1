import * as tf from "@tensorflow/tfjs-core";
import { PasticheError, firstLineOf } from "../errors.js";
import { constantTensor, decodeConstant, fallbackBiasQuantization, type ConstantValue } from "./constants.js";
import { planGraph, type FusedPattern } from "./fuse.js";
import type { TfliteModel } from "./model.js";
import { instanceNormKernel, prepareOperator, runtimeArity, upsampleConvKernel, type OpKernel } from "./ops.js";
import { parseTflite } from "./parse.js";
import { BuiltinOperator } from "./schema.js";

/** A graph input or output: its name and static shape as written in the file. */
export interface TfliteTensorInfo {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface LoadTfliteOptions {
  /** Names the file in error messages, e.g. its path. */
  readonly source?: string;
  /**
   * Run operator patterns as single kernels (fuse.ts: instance normalisation, ten TFLite operators
   * in one kernel on tfjs-node; upsample-pad-conv as a sub-pixel conv). Default true (all); false
   * runs the file's operators one by one, a list fuses only those patterns (for comparison).
   */
  readonly fuse?: boolean | readonly FusedPattern[];
}

interface Step {
  readonly index: number;
  readonly name: string;
  readonly kernel: OpKernel;
  /** Tensor indices read at run time (constants among them are bound once, at load). */
  readonly inputs: readonly number[];
  readonly output: number;
}

/**
 * A TFLite model turned into a tfjs function. Weights are decoded (and dequantised) once, when it
 * is built; `execute` runs the operators in the file's order, in float32, freeing each
 * intermediate after its last use so that large images do not hold every activation at once.
 * It owns its weight tensors: call `dispose()` when done.
 */
export class TfliteGraph {
  readonly inputs: readonly TfliteTensorInfo[];
  readonly outputs: readonly TfliteTensorInfo[];
  readonly source: string;
  private readonly inputIndices: readonly number[];
  private readonly outputIndices: readonly number[];
  private readonly steps: readonly Step[];
  /** Constants read at run time, and outputs folded at load time, by tensor index. */
  private readonly bound: ReadonlyMap<number, tf.Tensor>;
  private readonly owned: tf.Tensor[];
  private readonly lastUse: ReadonlyMap<number, number>;
  private disposed = false;

  /** Parse and prepare a .tflite file. INVALID_WEIGHTS for malformed files or unsupported operators. */
  static fromBytes(bytes: Uint8Array | ArrayBuffer, options: LoadTfliteOptions = {}): TfliteGraph {
    const source = options.source ?? "model.tflite";
    return new TfliteGraph(parseTflite(bytes, { source }), { ...options, source });
  }

  constructor(model: TfliteModel, options: LoadTfliteOptions = {}) {
    const source = options.source ?? "model.tflite";
    this.source = source;
    const owned: tf.Tensor[] = [];
    const decoded = new Map<number, ConstantValue>();
    const bound = new Map<number, tf.Tensor>();
    const constant = (index: number, fallback?: Parameters<typeof fallbackBiasQuantization>): ConstantValue | undefined => {
      const known = decoded.get(index);
      if (known) return known;
      const t = model.tensors[index];
      if (!t?.data) return undefined;
      const c = decodeConstant(t, source, fallback ? fallbackBiasQuantization(...fallback) : undefined);
      decoded.set(index, c);
      return c;
    };
    const own = <T extends tf.Tensor>(t: T): T => {
      owned.push(t);
      return t;
    };
    const prepareContext = { source, model, constant, own };
    const steps: Step[] = [];
    const bindConstants = (inputs: readonly number[]) => {
      for (const i of inputs) {
        const c = constant(i);
        if (c && !bound.has(i)) bound.set(i, own(constantTensor(c)));
      }
    };
    let outputIndices: readonly number[] = model.outputs;
    try {
      const plan = planGraph(model, { fuse: options.fuse ?? true, constantValues: (i) => constant(i)?.values });
      outputIndices = plan.outputs;
      for (const planned of plan.steps) {
        if (planned.kind === "instanceNorm") {
          const inputs = [planned.x, planned.scale, planned.offset];
          bindConstants(inputs);
          steps.push({ index: planned.index, name: "instance norm (fused)", kernel: instanceNormKernel(planned), inputs, output: planned.output });
          continue;
        }
        if (planned.kind === "upsampleConv") {
          const kernel = upsampleConvKernel(planned, prepareContext);
          steps.push({ index: planned.index, name: "upsample ×2 + pad + 3×3 conv (fused)", kernel, inputs: [planned.x], output: planned.output });
          continue;
        }
        const op = planned.op;
        // (De)quantising a constant (fp16 weights, int8 constants) is folded here, at load.
        const isQuant = op.opcode === BuiltinOperator.DEQUANTIZE || op.opcode === BuiltinOperator.QUANTIZE;
        const folded = isQuant && op.inputs[0] !== undefined && op.inputs[0] >= 0 ? constant(op.inputs[0]) : undefined;
        if (folded && op.outputs[0] !== undefined) {
          decoded.set(op.outputs[0], { ...folded, dtype: "float32", values: Float32Array.from(folded.values) });
          continue;
        }
        const kernel = prepareOperator(op, prepareContext);
        const inputs = op.inputs.slice(0, runtimeArity(op.opcode));
        bindConstants(inputs);
        steps.push({ index: op.index, name: op.opName, kernel, inputs, output: op.outputs[0]! });
      }
      // A graph output that is a constant (or folded into one) must still be produced.
      bindConstants(outputIndices);
    } catch (e) {
      tf.dispose(owned);
      if (e instanceof PasticheError) throw e;
      // tfjs rejecting a tensor built from the file (shape and data disagree, …): the file is bad.
      throw new PasticheError("INVALID_WEIGHTS", `${source}: malformed TFLite file: ${firstLineOf(e)}`, {
        cause: e,
      });
    }
    const produced = new Set([...steps.map((s) => s.output), ...bound.keys(), ...model.inputs]);
    const missing = [...steps.flatMap((s) => s.inputs), ...outputIndices].find((i) => !produced.has(i));
    if (missing !== undefined) {
      tf.dispose(owned);
      throw new PasticheError(
        "INVALID_WEIGHTS",
        `${source}: malformed TFLite file: tensor "${model.tensors[missing]?.name ?? missing}" is read but never computed`,
      );
    }
    const lastUse = new Map<number, number>();
    steps.forEach((s, k) => {
      for (const i of s.inputs) lastUse.set(i, k);
    });
    this.steps = steps;
    this.bound = bound;
    this.owned = owned;
    this.lastUse = lastUse;
    this.inputIndices = model.inputs;
    this.outputIndices = outputIndices;
    const info = (i: number): TfliteTensorInfo => ({ name: model.tensors[i]!.name, shape: model.tensors[i]!.shape });
    this.inputs = model.inputs.map(info);
    this.outputs = model.outputs.map(info);
  }

  /**
   * Run the graph. `inputs` by name, or in the order of `this.inputs`. Returns the outputs in the
   * order of `this.outputs`; the caller disposes them. The inputs are not disposed.
   */
  execute(inputs: Readonly<Record<string, tf.Tensor>> | readonly tf.Tensor[]): tf.Tensor[] {
    if (this.disposed) throw new Error("TfliteGraph used after dispose()");
    const values = new Map<number, tf.Tensor>(this.bound);
    this.inputs.forEach((info, k) => {
      const t = Array.isArray(inputs) ? (inputs as readonly tf.Tensor[])[k] : (inputs as Readonly<Record<string, tf.Tensor>>)[info.name];
      if (!t) {
        throw new PasticheError("INVALID_OPTION", `${this.source}: input "${info.name}" was not given (inputs: ${this.inputs.map((i) => i.name).join(", ")})`);
      }
      if (t.rank !== info.shape.length || (info.shape.at(-1)! > 0 && t.shape.at(-1) !== info.shape.at(-1))) {
        throw new PasticheError(
          "INVALID_OPTION",
          `${this.source}: input "${info.name}" has shape [${t.shape.join(",")}], expected [${info.shape.join(",")}] (spatial sizes may differ)`,
        );
      }
      values.set(this.inputIndices[k]!, t);
    });
    const keep = new Set([...this.bound.keys(), ...this.inputIndices, ...this.outputIndices]);
    const intermediates = new Set<tf.Tensor>();
    try {
      this.steps.forEach((step, k) => {
        let y: tf.Tensor;
        try {
          y = tf.tidy(() => step.kernel(step.inputs.map((i) => values.get(i))));
        } catch (e) {
          if (e instanceof PasticheError) throw e;
          throw new PasticheError("INVALID_WEIGHTS", `${this.source}: operator ${step.index} (${step.name}) failed: ${firstLineOf(e)}`, { cause: e });
        }
        values.set(step.output, y);
        intermediates.add(y);
        for (const i of new Set(step.inputs)) {
          if (this.lastUse.get(i) === k && !keep.has(i)) {
            const t = values.get(i)!;
            intermediates.delete(t);
            t.dispose();
            values.delete(i);
          }
        }
      });
      const outputs = this.outputIndices.map((i) => {
        const t = values.get(i)!;
        // Outputs handed to the caller are theirs: copies of bound constants or of inputs.
        if (intermediates.has(t)) {
          intermediates.delete(t);
          return t;
        }
        return tf.clone(t);
      });
      return outputs;
    } finally {
      for (const t of intermediates) t.dispose();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose(this.owned);
  }
}
