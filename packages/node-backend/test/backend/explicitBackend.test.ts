import { describe, expect, it } from "vitest";
import { PasticheError } from "@pastiche/core";
import { initBackend } from "../../src/index.js";

describe("initBackend with an explicit choice", () => {
  it("refuses an unknown backend name with a one-line typed error", async () => {
    const err = await initBackend("cuda").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PasticheError);
    expect((err as PasticheError).code).toBe("INVALID_OPTION");
    expect((err as PasticheError).message).toBe('--backend: unknown backend "cuda" (use auto, tensorflow, wasm)');
    const fromEnv = await initBackend(undefined, { PASTICHE_BACKEND: "cpu" }).catch((e: unknown) => e);
    expect((fromEnv as PasticheError).message).toContain("PASTICHE_BACKEND");
  });

  it("says clearly when tfjs-node is asked for but cannot load", async () => {
    let loads = true;
    try {
      await import("@tensorflow/tfjs-node");
    } catch {
      loads = false;
    }
    const result = await initBackend("tensorflow").then(
      (info) => info,
      (e: unknown) => e,
    );
    if (loads) {
      expect(result).toMatchObject({ name: "tensorflow" });
      return;
    }
    expect(result).toBeInstanceOf(PasticheError);
    expect((result as PasticheError).code).toBe("BACKEND_UNAVAILABLE");
    expect((result as PasticheError).message).toMatch(/^backend "tensorflow" is unavailable: @tensorflow\/tfjs-node did not load/);
    // A failed choice is not remembered: wasm can still be chosen in the same process.
    const wasm = await initBackend("wasm");
    expect(wasm.name).toBe("wasm");
    expect(wasm.reason).toBe("requested");
  });
});
