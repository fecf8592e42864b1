import { describe, expect, it } from "vitest";
import { PasticheError, VGG19_LAYERS, deepestLayerIndex, resolveLayerName } from "../src/index.js";

describe("VGG19 layer names", () => {
  it("lists the 16 convs and 5 pools of VGG19 in order", () => {
    expect(VGG19_LAYERS.filter((l) => l.kind === "conv")).toHaveLength(16);
    expect(VGG19_LAYERS.filter((l) => l.kind === "pool")).toHaveLength(5);
    expect(VGG19_LAYERS[0]).toEqual({ kind: "conv", name: "block1_conv1", inChannels: 3, outChannels: 64 });
    expect(VGG19_LAYERS.at(-1)!.name).toBe("block5_pool");
  });

  it("accepts Keras and Torch names", () => {
    expect(resolveLayerName("block4_conv2")).toBe("block4_conv2");
    expect(resolveLayerName("relu4_2")).toBe("block4_conv2");
    expect(resolveLayerName("conv1_1")).toBe("block1_conv1");
    expect(resolveLayerName("pool3")).toBe("block3_pool");
    expect(resolveLayerName(" relu5_1 ")).toBe("block5_conv1");
  });

  it.each(["relu6_1", "block2_conv3", "fc7", "", "block1_conv1x"])("rejects %j with UNKNOWN_LAYER", (name) => {
    try {
      resolveLayerName(name);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PasticheError);
      expect((e as PasticheError).code).toBe("UNKNOWN_LAYER");
      expect((e as PasticheError).message).toContain(`"${name}"`);
    }
  });

  it("finds the deepest requested layer", () => {
    expect(VGG19_LAYERS[deepestLayerIndex(["block1_conv1", "block3_conv1", "block2_conv2"])]!.name).toBe("block3_conv1");
  });
});
