"use client";

import { useEffect, useRef, useState } from "react";
import type { CameraStylizer } from "@/browser";
import { cameraStylizer, fallbackReason } from "@/client/browserFast";

interface Running {
  camera: CameraStylizer;
  stream: MediaStream;
  style: ImageBitmap;
}

/**
 * The live camera: the webcam stylised in this browser with the first chosen style, as fast as the
 * device sustains (the engine adapts the resolution), frames per second shown. Nothing is uploaded.
 */
export function CameraPanel({ style }: { style: { id: string; name: string } }) {
  const video = useRef<HTMLVideoElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const running = useRef<Running | null>(null);
  const [state, setState] = useState<"off" | "starting" | "on">("off");
  const [fps, setFps] = useState<{ fps: number; side: number } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const stop = () => {
    const r = running.current;
    running.current = null;
    if (r) {
      r.camera.stop();
      for (const track of r.stream.getTracks()) track.stop();
      r.style.close();
    }
    setState("off");
    setFps(null);
  };
  // Leaving the page (or the style changing) turns the camera off.
  useEffect(() => stop, [style.id]);

  async function start(): Promise<void> {
    setError(null);
    setState("starting");
    let stream: MediaStream | undefined;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 } }, audio: false });
      const el = video.current!;
      el.srcObject = stream;
      await el.play();
      const response = await fetch(`/api/images/${style.id}`);
      if (!response.ok) throw new Error(`the style image answered HTTP ${response.status}`);
      const bitmap = await createImageBitmap(await response.blob());
      const engine = await cameraStylizer();
      const camera = (await import("@/browser")).startCameraStylizer(el, canvas.current!, bitmap, engine, {
        onFps: (f, side) => {
          setFps({ fps: f, side });
        },
        onError: (e) => {
          setError(fallbackReason(e));
          stop();
        },
      });
      running.current = { camera, stream, style: bitmap };
      setState("on");
    } catch (e) {
      for (const track of stream?.getTracks() ?? []) track.stop();
      setError(e instanceof DOMException && e.name === "NotAllowedError" ? "the camera was not allowed" : fallbackReason(e));
      setState("off");
    }
  }

  return (
    <section className="camera" aria-label="Live camera" data-testid="camera-panel">
      <div className="actions">
        {state === "on" ? (
          <button type="button" className="button secondary" onClick={stop} data-testid="camera-stop">
            Stop the camera
          </button>
        ) : (
          <button type="button" className="button secondary" onClick={() => void start()} disabled={state === "starting"} data-testid="camera-start">
            {state === "starting" ? "Starting the camera…" : `Live camera in the style of ${style.name}`}
          </button>
        )}
        {fps && (
          <span className="hint" data-testid="camera-fps" data-fps={fps.fps.toFixed(2)}>
            {fps.fps.toFixed(fps.fps < 1 ? 2 : 1)} frames/s at {fps.side} px
          </span>
        )}
      </div>
      {error !== null && (
        <p role="alert" className="alert" data-testid="camera-error">
          The live camera stopped: {error}.
        </p>
      )}
      <video ref={video} muted playsInline hidden />
      <canvas ref={canvas} className="camera-output" hidden={state !== "on"} data-testid="camera-canvas" />
    </section>
  );
}
