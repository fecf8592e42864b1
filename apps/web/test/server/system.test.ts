import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describeNeeding, needs } from "@pastiche/vitest-config/needs";
import { afterEach, expect, it } from "vitest";
import { callerFor, fakeRunners, openApp, tempDir, testConfig } from "./helpers.js";

const SHARED = path.resolve(import.meta.dirname, "../../../../../shared");
const dirs: (() => void)[] = [];
afterEach(() => {
  for (const remove of dirs.splice(0)) remove();
});

describeNeeding([needs.sharedImages(), needs.models()], "system.info", () => {
  it("reports the limits, which models are installed and the example styles", async () => {
    const data = tempDir();
    const examples = tempDir("pastiche-examples-");
    dirs.push(data.remove, examples.remove);
    copyFileSync(path.join(SHARED, "images/style/starry_night.jpg"), path.join(examples.dir, "starry_night.jpg"));
    writeFileSync(path.join(examples.dir, "notes.jpg"), "not an image");
    writeFileSync(path.join(examples.dir, "README.txt"), "ignored");
    const modelsDir = process.env.PASTICHE_MODELS_DIR ?? path.join(SHARED, "models");
    const app = await openApp(
      testConfig(data.dir, {
        modelsDir,
        exampleStylesDir: examples.dir,
        limits: { maxUploadBytes: 1000, maxInputPixels: 2000, maxOutputSide: 300, maxIterations: 40 },
      }),
      fakeRunners().factory,
    );
    await app.examplesReady;
    const info = await callerFor(app).system.info();
    expect(info.limits).toEqual({ maxUploadBytes: 1000, maxInputPixels: 2000, maxOutputSide: 300, maxIterations: 40 });
    expect(info.models).toEqual({ quality: true, fast: true });
    // The example is imported with the server's own checks, not the (tiny) upload limits... which it
    // exceeds here, so nothing is offered; see the next test for a successful import.
    expect(info.examples).toEqual([]);
    expect(info.backend).toBe("fake");
    await app.close();
  });

  it("imports example styles once and offers them as style ids", async () => {
    const data = tempDir();
    const examples = tempDir("pastiche-examples-");
    const emptyModels = tempDir("pastiche-models-");
    dirs.push(data.remove, examples.remove, emptyModels.remove);
    mkdirSync(examples.dir, { recursive: true });
    copyFileSync(path.join(SHARED, "images/style/starry_night.jpg"), path.join(examples.dir, "starry_night.jpg"));
    writeFileSync(path.join(examples.dir, "notes.jpg"), "not an image");
    const config = testConfig(data.dir, { modelsDir: emptyModels.dir, exampleStylesDir: examples.dir });
    let app = await openApp(config, fakeRunners().factory);
    await app.examplesReady;
    const info = await callerFor(app).system.info();
    expect(info.models).toEqual({ quality: false, fast: false });
    expect(info.examples).toHaveLength(1);
    expect(info.examples[0]).toMatchObject({ name: "Starry night", thumbnailUrl: `/api/images/${info.examples[0]!.id}?thumb=1` });
    await app.close();
    app = await openApp(config, fakeRunners().factory);
    await app.examplesReady;
    expect((await callerFor(app).system.info()).examples).toEqual(info.examples);
    await app.close();
  });
});
