/**
 * Multi-scale vs single-scale at 512 px in the same wall time (issue #5): the multi-scale run
 * (the default: 128 → … → 512 px, `ITERATIONS` as a budget in full-size iterations) goes first and
 * its wall time becomes the single-scale run's budget (stopped with an AbortSignal). Both results
 * are then scored by the same VGG scorer at 512 px: the weighted content + style loss of the run's
 * defaults. Needs the real weights and the test images
 * (PASTICHE_MODELS_DIR, PASTICHE_IMAGES_DIR, default ../shared/*); skipped without them. Other
 * pairs: PASTICHE_MULTISCALE_CONTENT / _STYLE (file names in content/ and style/).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import {
  VggFeatureExtractor,
  contentLoss,
  gramMatrix,
  parseGatysOptions,
  planStages,
  rgbImageToTensor,
  stageIterations,
  stylizeGatys,
  type GatysOptionsInput,
  type RgbImage,
  type WeightMap,
} from "@pastiche/core";
import { initBackend, loadVgg19Weights, readImage } from "@pastiche/node";

const SIZE = 512;
const ITERATIONS = Number(process.env.PASTICHE_MULTISCALE_ITERATIONS ?? 40);

/** The objective's content and style terms at `image`, with the default weights and layers. */
function score(weights: WeightMap, content: RgbImage, style: RgbImage, image: RgbImage): { content: number; style: number } {
  const o = parseGatysOptions({});
  const ex = new VggFeatureExtractor(weights, { layers: [...o.contentLayers, ...o.styleLayers] });
  const [c, s] = tf.tidy(() => {
    const fc = ex.extract(rgbImageToTensor(content));
    const fs = ex.extract(rgbImageToTensor(style));
    const fi = ex.extract(rgbImageToTensor(image));
    const cl = tf.mul(contentLoss(fi, fc, o.contentLayers), o.contentWeight);
    const sl = tf.mul(
      tf.div(tf.addN(o.styleLayers.map((l) => tf.mean(tf.squaredDifference(gramMatrix(fi[l]!), gramMatrix(fs[l]!))))), o.styleLayers.length),
      o.styleWeight,
    );
    return [cl.dataSync()[0]!, sl.dataSync()[0]!];
  });
  ex.dispose();
  return { content: c, style: s };
}

async function finalImage(input: Parameters<typeof stylizeGatys>[0]): Promise<{ image: RgbImage; iterations: number }> {
  for await (const e of stylizeGatys(input)) if (e.type === "done") return { image: e.image, iterations: e.iterations };
  throw new Error("no result");
}

async function main(): Promise<void> {
  const backend = await initBackend();
  // Default: ../shared/images beside the repository (this file is benchmarks/dist/multiscale.bench.js).
  const images = process.env.PASTICHE_IMAGES_DIR ?? fileURLToPath(new URL("../../../shared/images", import.meta.url));
  let weights: WeightMap;
  let content: RgbImage;
  let style: RgbImage;
  try {
    weights = (await loadVgg19Weights()).weights;
    content = await readImage(path.join(images, "content", process.env.PASTICHE_MULTISCALE_CONTENT ?? "sailboat.jpg"), { longestSide: SIZE });
    style = await readImage(path.join(images, "style", process.env.PASTICHE_MULTISCALE_STYLE ?? "starry_night.jpg"), { longestSide: SIZE });
  } catch (e) {
    console.log(`multi-scale benchmark skipped: ${(e as Error).message}`);
    return;
  }
  console.log(`\nmulti-scale vs single-scale, ${SIZE} px, same wall time — backend: ${backend.name}`);
  const common: GatysOptionsInput = { size: SIZE, seed: 1 };

  const t0 = performance.now();
  const multiOptions = parseGatysOptions({ ...common, iterations: ITERATIONS }); // scales: "auto", the default
  const schedule = stageIterations(planStages(content.width, content.height, multiOptions), multiOptions);
  const multi = await finalImage({ content, styles: [style], weights, options: { ...common, iterations: ITERATIONS } });
  const budgetMs = performance.now() - t0;

  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort();
  }, budgetMs);
  const single = await finalImage({ content, styles: [style], weights, options: { ...common, scales: "off", iterations: 100_000 }, signal: controller.signal });
  clearTimeout(timer);

  const line = (name: string, value: string) => {
    console.log(`${name.padEnd(52)} ${value}`);
  };
  const sm = score(weights, content, style, multi.image);
  const ss = score(weights, content, style, single.image);
  line("wall time of each run", `${(budgetMs / 1000).toFixed(1)} s`);
  line(
    `multi-scale (${schedule.join("+")} iterations): content + style`,
    `${(sm.content + sm.style).toExponential(3)} (content ${sm.content.toExponential(2)}, style ${sm.style.toExponential(2)})`,
  );
  line(
    `single-scale (${single.iterations} iterations): content + style`,
    `${(ss.content + ss.style).toExponential(3)} (content ${ss.content.toExponential(2)}, style ${ss.style.toExponential(2)})`,
  );
  line("multi-scale loss / single-scale loss", ((sm.content + sm.style) / (ss.content + ss.style)).toFixed(3));
}

await main();
