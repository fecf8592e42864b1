import type * as tf from "@tensorflow/tfjs-core";

/**
 * One evaluation as a pure tensor function of its image: no effects but the tensors it returns,
 * which the caller owns. Everything else it reads (weights, targets) must outlive the compiled step.
 */
export type TensorStep = (x: tf.Tensor4D) => tf.Tensor[];

/** A backend's graph of one traced call of a step: replays it for images of the traced shape. */
export interface CompiledStep {
  /** The traced step's outputs for `x` (of the traced shape and dtype), computed by the graph; the caller owns them. */
  run(x: tf.Tensor4D): tf.Tensor[];
  /** Free the graph (a TensorFlow session on tfjs-node). */
  dispose(): void;
}

/** What one traced call gave: its own (eager) outputs, and the graph that replays it or why there is none. */
export type TraceResult = { readonly outputs: tf.Tensor[] } & ({ readonly compiled: CompiledStep } | { readonly declined: string });

/**
 * What a backend registers to run a whole step as one graph (tfjs-node: a TensorFlow session, which
 * optimises and schedules the step as a whole, without a round trip through JS per op). `trace` runs the step once on `x`, recording it.
 */
export interface StepCompiler {
  /** Run `step(x)` once, recording it, and return its outputs with the graph that replays it, or why there is none. */
  trace(step: TensorStep, x: tf.Tensor4D): TraceResult;
}

// Keyed by backend name, like tfjs's kernel registry: core stays backend-agnostic.
const compilers = new Map<string, StepCompiler>();

/** Run steps on `backendName` through `compiler` (@pastiche/node does this for tfjs-node); replaces an earlier one. */
export function registerStepCompiler(backendName: string, compiler: StepCompiler): void {
  compilers.set(backendName, compiler);
}

/** Steps on `backendName` run op by op again. */
export function unregisterStepCompiler(backendName: string): void {
  compilers.delete(backendName);
}

/** The compiler registered for `backendName`, if any. */
export function getStepCompiler(backendName: string): StepCompiler | undefined {
  return compilers.get(backendName);
}
