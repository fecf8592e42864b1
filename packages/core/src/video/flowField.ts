import { PasticheError } from "../errors.js";

/**
 * A dense optical flow field: for each pixel (row-major), the displacement (dx, dy) in pixels to
 * where that pixel is found in the other frame. Interleaved, 2 floats per pixel (OpenCV's CV_32FC2).
 */
export interface FlowField {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/**
 * The flows between the previous input frame and this one: `forward` maps the previous frame's
 * pixels into this frame, `backward` this frame's pixels back into the previous frame (the one the
 * previous output is warped along).
 */
export interface FramePairFlow {
  readonly forward: FlowField;
  readonly backward: FlowField;
}

export function assertFlowField(flow: FlowField, width: number, height: number, what: string): void {
  if (flow.width !== width || flow.height !== height || flow.data.length !== width * height * 2) {
    throw new PasticheError(
      "INVALID_OPTION",
      `${what}: expected a ${width}x${height} flow field (${width * height * 2} floats), got ${flow.width}x${flow.height} with ${flow.data.length}`,
    );
  }
}
