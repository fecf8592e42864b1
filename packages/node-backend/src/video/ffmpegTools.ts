import { spawn } from "node:child_process";
import { PasticheError } from "@pastiche/core";

/** The ffmpeg and ffprobe programs used: PASTICHE_FFMPEG / PASTICHE_FFPROBE, else the ones on PATH. */
export function ffmpegPath(): string {
  return process.env.PASTICHE_FFMPEG?.trim() || "ffmpeg";
}
export function ffprobePath(): string {
  return process.env.PASTICHE_FFPROBE?.trim() || "ffprobe";
}

const INSTALL_HINT = "install it (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg) or set PASTICHE_FFMPEG/PASTICHE_FFPROBE";

/** The one-line error for a missing program (spawn's ENOENT). */
export function toolMissing(program: string, cause?: unknown): PasticheError {
  return new PasticheError("TOOL_NOT_FOUND", `${program} not found: pastiche video needs ffmpeg and ffprobe; ${INSTALL_HINT}`, { cause });
}

/** Runs a program to its end, collecting stdout and stderr (ffprobe, short ffmpeg calls). */
export function runTool(program: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (e: NodeJS.ErrnoException) => {
      reject(e.code === "ENOENT" ? toolMissing(program, e) : e);
    });
    child.on("close", (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** The last meaningful line of ffmpeg's stderr, for an error message. */
export function lastLine(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  return lines.at(-1) ?? "no message";
}
