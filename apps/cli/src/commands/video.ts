import { Args, Flags } from "@oclif/core";
import {
  PasticheError,
  parseFastOptions,
  parseGatysOptions,
  parseVideoOptions,
  type FastOptionsInput,
  type GatysOptionsInput,
  type VideoOptionsInput,
} from "@pastiche/core";
import { initBackend, stylizeVideoFromFiles, type VideoFileEvent } from "@pastiche/node";
import cliProgress from "cli-progress";
import { BaseCommand } from "../lib/baseCommand.js";
import { checkCounts } from "../lib/inputs.js";
import { optionsFromFlags } from "../lib/optionFlags.js";
import { fmtDuration } from "../lib/progress.js";
import { backendFlag } from "../lib/sharedFlags.js";
import { StopOnSignals } from "../lib/signals.js";
import { VIDEO_FAST_FLAGS, VIDEO_FLAGS, VIDEO_GATYS_FLAGS, videoOptionFlags } from "../lib/videoFlagTables.js";

export default class Video extends BaseCommand {
  static override summary = "Stylise a video, frame by frame held together along the optical flow (Ruder et al. 2016).";
  static override description =
    "Decodes the input with ffmpeg (any format it reads; `apt-get install ffmpeg`), paints each frame with the fast network (one style bottleneck for the whole clip) or a Gatys run, and encodes mp4 (H.264/AAC), webm (VP9/Opus) or gif with the input's frame rate and audio. With --temporal-weight above 0, the previous output is warped along the optical flow (OpenCV's Farnebäck) and kept where a forward–backward check says the flow holds, so strokes do not flicker. Ctrl-C or SIGTERM finishes the current frame and writes a playable partial video; --method gatys keeps finished frames beside the output, so the same command run again continues after the last one.";
  static override examples = [
    "<%= config.bin %> video clip.mp4 the_great_wave.jpg -o out.mp4 --size 512",
    "<%= config.bin %> video clip.mov a.jpg -o out.webm --start 10 --duration 5 --temporal-weight 0.8",
    "<%= config.bin %> video clip.mp4 starry.jpg -o out.mp4 --method gatys --size 256 --iterations 200 --frame-iterations 40",
  ];
  static override strict = false; // several style images
  static override usage = ["video INPUT STYLE... -o OUTPUT [flags]"];
  static override args = {
    input: Args.string({ description: "input video (anything ffmpeg reads)", required: true }),
    style: Args.string({ description: "style image(s); give several to blend them", required: true }),
  };
  static override flags = {
    output: Flags.string({ char: "o", description: "output video (.mp4, .webm or .gif), written atomically", required: true }),
    method: Flags.string({
      description: "fast: Magenta's network per frame; gatys: an optimisation per frame (slow, resumable)",
      options: ["fast", "gatys"],
      default: "fast",
    }),
    // Every option of core's VideoOptionsSchema, and the fast/Gatys options that apply, generated from the schemas.
    ...videoOptionFlags,
    backend: backendFlag(),
    quiet: Flags.boolean({ char: "q", description: "no output but errors" }),
    json: Flags.boolean({ description: "print one JSON object per event (start, each frame, done) on stdout" }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Video);
    const [input, ...styles] = argv.map(String);
    if (!input || styles.length === 0) throw new PasticheError("INVALID_OPTION", "give an input video and at least one style image");
    const method = flags.method === "gatys" ? "gatys" : "fast";
    // Parsed once, here, before ffmpeg or a model is touched.
    const video = parseVideoOptions(optionsFromFlags<VideoOptionsInput>(flags, VIDEO_FLAGS));
    const fast = parseFastOptions(optionsFromFlags<FastOptionsInput>(flags, VIDEO_FAST_FLAGS));
    const gatys =
      method === "gatys"
        ? parseGatysOptions({
            ...optionsFromFlags<GatysOptionsInput>(flags, VIDEO_GATYS_FLAGS),
            ...(fast.styleBlendWeights ? { styleBlendWeights: [...fast.styleBlendWeights] } : {}),
            scales: "off",
          })
        : undefined;
    checkCounts(styles.length, fast.styleBlendWeights?.length);

    const backend = await initBackend(flags.backend);
    const bar = new FrameProgress(flags.json ? "json" : flags.quiet ? "quiet" : process.stderr.isTTY ? "bar" : "lines");
    const stop = new StopOnSignals();
    try {
      for await (const event of stylizeVideoFromFiles({
        input,
        styles,
        output: flags.output,
        method,
        video,
        fast,
        ...(gatys ? { gatys } : {}),
        signal: stop.signal,
      })) {
        bar.event(event, backend.name);
        if (event.type === "done" && event.stopped) this.exit(stop.exitCode);
      }
    } finally {
      bar.stop();
      stop.dispose();
    }
  }
}

/** Progress over frames: a bar with fps and ETA on a terminal, a line per frame when piped, JSON, or nothing. */
class FrameProgress {
  private bar: cliProgress.SingleBar | undefined;
  constructor(private readonly mode: "bar" | "lines" | "json" | "quiet") {}

  event(e: VideoFileEvent, backend: string): void {
    if (this.mode === "quiet") return;
    if (this.mode === "json") {
      process.stdout.write(`${JSON.stringify(e)}\n`);
      return;
    }
    if (e.type === "start") {
      const resumed = e.resumedFrames > 0 ? `, continuing after frame ${e.resumedFrames}` : "";
      process.stderr.write(
        `stylizing ${e.frames ?? "?"} frames of ${e.width}×${e.height} at ${round(e.fps)} fps on ${backend}${e.hasAudio ? ", audio kept" : ""}${resumed}\n`,
      );
      if (this.mode === "bar") {
        this.bar = new cliProgress.SingleBar(
          { format: " {bar} {value}/{total} frames | {rate} fps | {elapsed} elapsed, ETA {eta_}", stream: process.stderr, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        this.bar.start(e.frames ?? 0, e.resumedFrames, { rate: "…", elapsed: "0s", eta_: "…" });
      }
    } else if (e.type === "frame") {
      const eta = e.etaMs === undefined ? "?" : fmtDuration(e.etaMs);
      if (this.bar) this.bar.update(e.index + 1, { rate: round(e.fps), elapsed: fmtDuration(e.elapsedMs), eta_: eta });
      else process.stderr.write(`frame ${e.index + 1}/${e.frames ?? "?"}: ${round(e.fps)} fps, flow held on ${Math.round(e.reliable * 100)}%, ETA ${eta}\n`);
    } else {
      this.stop();
      const what = e.stopped ? `stopped: partial video of ${e.frames} frames` : `wrote ${e.frames} frames`;
      process.stderr.write(`${what} to ${e.output}${e.hasAudio ? " with the input's audio" : ""} in ${fmtDuration(e.elapsedMs)}\n`);
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}

const round = (x: number) => (x >= 10 ? x.toFixed(0) : x.toFixed(2));
