/** Naive reference implementations (plain loops) to check the importer's tfjs ops against. */

export interface Nhwc {
  h: number;
  w: number;
  c: number;
  data: Float32Array;
}

function samePad(size: number, k: number, stride: number, dilation: number): { out: number; before: number } {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + (k - 1) * dilation + 1 - size, 0);
  return { out, before: Math.floor(total / 2) };
}

/** Conv with an OHWI filter (TFLite layout), TF's SAME/VALID padding. Depthwise when `depthwise`. */
export function referenceConv(
  x: Nhwc,
  filter: Float32Array,
  fshape: [number, number, number, number],
  bias: number[],
  o: { padding: "SAME" | "VALID"; stride: [number, number]; dilation?: [number, number]; depthwise?: boolean; act?: (v: number) => number },
): Nhwc {
  const [d0, kh, kw, d3] = fshape;
  const [sh, sw] = o.stride;
  const [dh, dw] = o.dilation ?? [1, 1];
  const { out: oh, before: pt } = o.padding === "SAME" ? samePad(x.h, kh, sh, dh) : { out: Math.floor((x.h - (kh - 1) * dh - 1) / sh) + 1, before: 0 };
  const { out: ow, before: pl } = o.padding === "SAME" ? samePad(x.w, kw, sw, dw) : { out: Math.floor((x.w - (kw - 1) * dw - 1) / sw) + 1, before: 0 };
  const oc = o.depthwise ? d3 : d0;
  const mult = o.depthwise ? d3 / x.c : 1;
  const out = new Float32Array(oh * ow * oc);
  for (let y = 0; y < oh; y++)
    for (let xx = 0; xx < ow; xx++)
      for (let k = 0; k < oc; k++) {
        let s = bias[k] ?? 0;
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++) {
            const iy = y * sh + i * dh - pt;
            const ix = xx * sw + j * dw - pl;
            if (iy < 0 || iy >= x.h || ix < 0 || ix >= x.w) continue;
            if (o.depthwise) {
              const ci = Math.floor(k / mult);
              s += x.data[(iy * x.w + ix) * x.c + ci]! * filter[(i * kw + j) * d3 + k]!;
            } else {
              for (let ci = 0; ci < x.c; ci++) s += x.data[(iy * x.w + ix) * x.c + ci]! * filter[((k * kh + i) * kw + j) * d3 + ci]!;
            }
          }
        out[(y * ow + xx) * oc + k] = o.act ? o.act(s) : s;
      }
  return { h: oh, w: ow, c: oc, data: out };
}

/** Deterministic pseudo-random values in [lo, hi). */
export function seeded(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
  });
}
