import { describe, expect, it } from "vitest";
import { JobCreateInputSchema, jobCreateInputSchema } from "../../src/shared/jobSchemas.js";

describe("JobCreateInputSchema", () => {
  const id = "a".repeat(22);
  it("fills core's defaults and the hosted defaults", () => {
    const job = JobCreateInputSchema.parse({ mode: "quality", contentId: id, styleIds: [id] });
    expect(job.mode).toBe("quality");
    if (job.mode !== "quality") return;
    expect(job.options).toMatchObject({ size: 256, iterations: 200, styleWeight: 1e-2, contentWeight: 1e4, preserveColors: "none" });
    const fast = JobCreateInputSchema.parse({ mode: "fast", contentId: id, styleIds: [id], options: { strength: 0.5 } });
    expect(fast.options).toMatchObject({ strength: 0.5, size: 512 });
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
