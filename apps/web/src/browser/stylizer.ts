// First: before core builds its zod schemas (see zodJitless.ts).
import "./zodJitless.ts";
import { BottleneckCache, stylizeFast, TfliteStyleModels, type FastOptionsInput, type RgbImage } from "@pastiche/core";
import { version_wasm } from "@tensorflow/tfjs-backend-wasm";
import { chooseBackend, type BrowserBackendName } from "./backend.ts";
import { asBrowserStylizeError, BrowserStylizeError } from "./errors.ts";
import { fetchManifest, fetchModelFile } from "./modelFiles.ts";
import { imageDataFromRgb, rgbFromSource, type BrowserImageSource } from "./pixels.ts";

export interface BrowserStylizerOptions {
  /** The model manifest, e.g. "/api/models/manifest.json" or "models/manifest.json". */
  readonly manifestUrl: string | URL;
  /** Backends to try, in order (default WebGL, then WASM). */
  readonly backends?: readonly BrowserBackendName[];
  /** Where the tfjs WASM binaries are served (default "/tfjs-wasm/<tfjs-backend-wasm version>/" on this origin, see server/http/wasmRoutes.ts). */
  readonly wasmPath?: string;
  readonly signal?: AbortSignal;
}

export interface BrowserStylizeResult {
  readonly image: ImageData;
  /** Wall-clock time of this stylisation, pixels in to pixels out. */
  readonly ms: number;
  /** False when the style's bottleneck came from the cache. */
  readonly predicted: boolean;
}

export interface BrowserStylizer {
  /** The tfjs backend in use, to show the user. */
  readonly backend: BrowserBackendName;
  /** Several styles are blended (options.styleBlendWeights, one weight per style). */
  stylize(content: BrowserImageSource, style: BrowserImageSource | readonly BrowserImageSource[], options?: FastOptionsInput): Promise<BrowserStylizeResult>;
  /** Raw RGB in and out (what tests compare against Node). */
  stylizeRgb(
    content: RgbImage,
    style: RgbImage | readonly RgbImage[],
    options?: FastOptionsInput,
  ): Promise<{ image: RgbImage; ms: number; predicted: boolean }>;
  dispose(): void;
}

/**
 * Set up Fast stylisation in this browser: a backend, then the Magenta models from the manifest.
 * Every failure is a BrowserStylizeError, whose code tells the app to fall back to a server job.
 */
export async function createBrowserStylizer(options: BrowserStylizerOptions): Promise<BrowserStylizer> {
  const wasmPath = options.wasmPath ?? `/tfjs-wasm/${version_wasm}/`;
  const backend = await chooseBackend(options.backends ? { backends: options.backends, wasmPath } : { wasmPath });
  const { manifest, url } = await fetchManifest(options.manifestUrl, options.signal);
  const [predictor, transfer] = await Promise.all([
    fetchModelFile(manifest.fast.predictor, url, options.signal),
    fetchModelFile(manifest.fast.transfer, url, options.signal),
  ]);
  let models: TfliteStyleModels;
  try {
    models = TfliteStyleModels.fromFiles({ predictor, transfer, predictorSource: manifest.fast.predictor.name, transferSource: manifest.fast.transfer.name });
  } catch (e) {
    throw new BrowserStylizeError("MODEL_FETCH", `the downloaded models did not load: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  // One bottleneck per style image (by content hash): a camera loop or a re-run predicts once.
  const cache = new BottleneckCache();

  async function stylizeRgb(content: RgbImage, style: RgbImage | readonly RgbImage[], fastOptions: FastOptionsInput = {}) {
    const started = performance.now();
    const styles = Array.isArray(style) ? [...(style as readonly RgbImage[])] : [style as RgbImage];
    try {
      for await (const event of stylizeFast({ content, styles, models, options: fastOptions, cache })) {
        if (event.type === "done") return { image: event.image, ms: performance.now() - started, predicted: event.predictorRuns > 0 };
      }
    } catch (e) {
      throw asBrowserStylizeError(e);
    }
    throw new BrowserStylizeError("FAILED", "the stylisation ended without a result");
  }

  return {
    backend,
    stylizeRgb,
    async stylize(content, style, fastOptions) {
      const styles = Array.isArray(style) ? (style as readonly BrowserImageSource[]).map(rgbFromSource) : rgbFromSource(style as BrowserImageSource);
      const result = await stylizeRgb(rgbFromSource(content), styles, fastOptions);
      return { ...result, image: imageDataFromRgb(result.image) };
    },
    dispose() {
      models.dispose();
    },
  };
}
