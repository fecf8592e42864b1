import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PasticheError } from "../../src/errors.js";
import { disposeWeightMap, type WeightMap } from "../../src/model/weightMap.js";
import { validateVgg19Weights, VGG19_CONV_LAYER_NAMES, VGG19_CONV_WEIGHT_SPECS } from "../../src/vgg/weights.js";

let full: WeightMap;

beforeAll(async () => {
  await tf.setBackend("wasm");
  await tf.ready();
  // Zero-filled weights of the right shapes (tf.zeros allocates lazily enough for 20M floats here).
  full = {};
  for (const s of VGG19_CONV_WEIGHT_SPECS) {
    full[`${s.layer}/kernel`] = tf.zeros([...s.kernel]);
    full[`${s.layer}/bias`] = tf.zeros([...s.bias]);
  }
});

afterAll(() => {
  disposeWeightMap(full);
});

function error(fn: () => void): PasticheError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PasticheError);
    return e as PasticheError;
  }
  throw new Error("expected a PasticheError");
}

describe("VGG19 weight specs", () => {
  it("lists the 16 conv layers with Keras' shapes", () => {
    expect(VGG19_CONV_LAYER_NAMES).toEqual([
      "block1_conv1",
      "block1_conv2",
      "block2_conv1",
      "block2_conv2",
      "block3_conv1",
      "block3_conv2",
      "block3_conv3",
      "block3_conv4",
      "block4_conv1",
      "block4_conv2",
      "block4_conv3",
      "block4_conv4",
      "block5_conv1",
      "block5_conv2",
      "block5_conv3",
      "block5_conv4",
    ]);
    const byName = Object.fromEntries(VGG19_CONV_WEIGHT_SPECS.map((s) => [s.layer, s]));
    expect(byName["block1_conv1"]!.kernel).toEqual([3, 3, 3, 64]);
    expect(byName["block1_conv2"]!.kernel).toEqual([3, 3, 64, 64]);
    expect(byName["block2_conv1"]!.kernel).toEqual([3, 3, 64, 128]);
    expect(byName["block3_conv1"]!.kernel).toEqual([3, 3, 128, 256]);
    expect(byName["block4_conv1"]!.kernel).toEqual([3, 3, 256, 512]);
    expect(byName["block5_conv4"]!.kernel).toEqual([3, 3, 512, 512]);
    expect(byName["block5_conv4"]!.bias).toEqual([512]);
    // 20,024,384 parameters, the figure the shared uint8 model stores at one byte each.
    const params = VGG19_CONV_WEIGHT_SPECS.reduce((n, s) => n + s.kernel.reduce((a, b) => a * b, 1) + s.bias[0], 0);
    expect(params).toBe(20_024_384);
  });
});

describe("validateVgg19Weights", () => {
  it("accepts a complete set", () => {
    expect(() => {
      validateVgg19Weights(full);
    }).not.toThrow();
  });

  it("names a missing kernel with its expected shape", () => {
    const { ["block3_conv2/kernel"]: _gone, ...rest } = full;
    const e = error(() => {
      validateVgg19Weights(rest);
    });
    expect(e.code).toBe("INVALID_WEIGHTS");
    expect(e.message).toContain("block3_conv2: kernel block3_conv2/kernel is missing, expected shape [3,3,256,256]");
  });

  it("names a wrong shape with expected and actual, and counts other problems", () => {
    const wrongKernel = tf.zeros([3, 3, 64, 32]);
    const wrongBias = tf.zeros([3]);
    try {
      const e = error(() => {
        validateVgg19Weights({ ...full, "block1_conv2/kernel": wrongKernel, "block1_conv1/bias": wrongBias });
      });
      expect(e.code).toBe("INVALID_WEIGHTS");
      expect(e.message).toContain("block1_conv1: bias has shape [3], expected [64]");
      expect(e.message).toContain("(and 1 more problem)");
      const e2 = error(() => {
        validateVgg19Weights({ ...full, "block1_conv2/kernel": wrongKernel });
      });
      expect(e2.message).toContain("block1_conv2: kernel has shape [3,3,64,32], expected [3,3,64,64]");
    } finally {
      wrongKernel.dispose();
      wrongBias.dispose();
    }
  });

  it("rejects non-float32 weights", () => {
    const intBias = tf.zeros([64], "int32");
    try {
      const e = error(() => {
        validateVgg19Weights({ ...full, "block1_conv1/bias": intBias }, ["block1_conv1"]);
      });
      expect(e.message).toContain("block1_conv1: bias has dtype int32, expected float32");
    } finally {
      intBias.dispose();
    }
  });

  it("checks only the requested layers", () => {
    const partial: WeightMap = {
      "block1_conv1/kernel": full["block1_conv1/kernel"]!,
      "block1_conv1/bias": full["block1_conv1/bias"]!,
    };
    expect(() => {
      validateVgg19Weights(partial, ["block1_conv1"]);
    }).not.toThrow();
    const e = error(() => {
      validateVgg19Weights(partial);
    });
    expect(e.message).toContain("block1_conv2: kernel block1_conv2/kernel is missing");
    expect(e.message).toContain("(and 29 more problems)");
  });

  it("rejects a layer name that is not a VGG19 conv", () => {
    const e = error(() => {
      validateVgg19Weights(full, ["block1_pool"]);
    });
    expect(e.code).toBe("UNKNOWN_LAYER");
    expect(e.message).toContain("block1_pool");
  });
});
