/**
 * One Pastiche measurement for sideBySide.bench.ts: seconds per single-scale Adam iteration at
 * `size` px square or width×height (argv[2]: "256", "256x192") over `iterations` steps (argv[3]) on
 * the active backend, with the real VGG19 weights, as a RESULTS line.
 */
import { DEFAULT_CONTENT_LAYERS, DEFAULT_STYLE_LAYERS, disposeWeightMap } from "@pastiche/core";
import { initBackend, loadVgg19Weights } from "@pastiche/node";
import { benchDimensions, gatysIterationGflop, parseBenchShape, secondsPerIteration } from "./gatysTiming.js";

const shape = parseBenchShape(process.argv[2] ?? "256");
const iterations = Number(process.argv[3] ?? 4);
const backend = await initBackend();
const { weights } = await loadVgg19Weights();
const seconds = await secondsPerIteration(weights, shape, { optimizer: "adam" }, iterations);
disposeWeightMap(weights);
const { width, height } = benchDimensions(shape);
const gflop = gatysIterationGflop(height, width, [...DEFAULT_CONTENT_LAYERS, ...DEFAULT_STYLE_LAYERS]);
console.log(`RESULTS ${JSON.stringify({ backend: backend.name, seconds, gflop })}`);
