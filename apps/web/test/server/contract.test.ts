import { describe, expect, it } from "vitest";
import { DEFAULT_GATYS_ITERATIONS } from "@pastiche/core/light";
import { JobCreateInputSchema, jobCreateInputSchema } from "../../src/shared/jobSchemas.js";

describe("JobCreateInputSchema", () => {
  const id = "a".repeat(22);
  it("fills core's defaults and the hosted defaults", () => {
    const job = JobCreateInputSchema.parse({ mode: "quality", contentId: id, styleIds: [id] });
    expect(job.mode).toBe("quality");
    if (job.mode !== "quality") return;
    // Quality uses the CLI's default schedule (L-BFGS, its iterations), at the hosted size.
    expect(job.options).toMatchObject({ size: 256, iterations: DEFAULT_GATYS_ITERATIONS, styleWeight: 1e-2, contentWeight: 1e4, preserveColors: "none" });
    expect(job.options).not.toHaveProperty("preset");
    const fast = JobCreateInputSchema.parse({ mode: "fast", contentId: id, styleIds: [id], options: { strength: 0.5 } });
    expect(fast.options).toMatchObject({ strength: 0.5, size: 512 });
  });
  it("a preset brings its values before the defaults; options given override it", () => {
    const job = JobCreateInputSchema.parse({ mode: "quality", contentId: id, styleIds: [id], options: { preset: "tutorial" } });
    if (job.mode !== "quality") throw new Error("not a quality job");
    expect(job.options).toMatchObject({
      preset: "tutorial",
      optimizer: "adam",
      iterations: 1000,
      contentWeight: 1e4,
      styleWeight: 1e-2,
      tvWeight: 30,
      size: 256,
    });
    const seed = JobCreateInputSchema.parse({ mode: "quality", contentId: id, styleIds: [id], options: { preset: "seed", iterations: 50 } });
    expect(seed.options).toMatchObject({ preset: "seed", iterations: 50, contentWeight: 1e3, tvWeight: 0 });
    expect(JobCreateInputSchema.safeParse({ mode: "quality", contentId: id, styleIds: [id], options: { preset: "paper" } }).success).toBe(false);
    // The server's own limit still applies to the preset's iterations, with its message.
    const r = jobCreateInputSchema({ maxOutputSide: 512, maxIterations: 300 }).safeParse({
      mode: "quality",
      contentId: id,
      styleIds: [id],
      options: { preset: "seed" },
    });
    expect(r.error?.issues[0]?.message).toBe("A Quality job can have at most 300 iterations on this server.");
  });
  it("applies the hosted limits with a readable message", () => {
    const schema = jobCreateInputSchema({ maxOutputSide: 128, maxIterations: 10 });
    const r = schema.safeParse({ mode: "quality", contentId: id, styleIds: [id], options: { size: 256 } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe("The output size can be at most 128 pixels on this server.");
  });
  it("keeps core's bounds and refuses unknown options", () => {
    expect(JobCreateInputSchema.safeParse({ mode: "fast", contentId: id, styleIds: [id], options: { strength: 2 } }).success).toBe(false);
    expect(JobCreateInputSchema.safeParse({ mode: "fast", contentId: id, styleIds: [id], options: { iterations: 2 } }).success).toBe(false);
    expect(JobCreateInputSchema.safeParse({ mode: "quality", contentId: id, styleIds: [id, id], options: { styleBlendWeights: [1] } }).success).toBe(false);
    expect(JobCreateInputSchema.safeParse({ mode: "quality", contentId: "../../etc/passwd", styleIds: [id] }).success).toBe(false);
  });
});
