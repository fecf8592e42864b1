#!/usr/bin/env node
// Loads @tensorflow/tfjs-node the way @pastiche/node does and runs a small convolution on the
// native backend, compared with a plain-JS reference. Exit 0 = the native backend works.
// Usage: node scripts/native/check-native.mjs   (run by setup-native.mjs as its last step)
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const root = fileURLToPath(new URL("../..", import.meta.url));
const fromNodeBackend = createRequire(join(root, "packages/node-backend/package.json"));

function fail(message) {
  console.error(`check-native: FAILED: ${message}`);
  process.exit(1);
}

let tf;
try {
  tf = fromNodeBackend("@tensorflow/tfjs-node");
} catch (e) {
  fail(
    `@tensorflow/tfjs-node did not load: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}\n  hint: run \`pnpm setup:native\` (again after node_modules was recreated)`,
  );
}
if (tf.getBackend() !== "tensorflow") {
  if (!(await tf.setBackend("tensorflow"))) fail(`the "tensorflow" backend did not initialise (active: ${tf.getBackend()})`);
}

// Deterministic input and kernel: NHWC [1,5,6,3], HWIO [3,3,3,4], stride 1, SAME padding.
const [N, H, W, C, K, O] = [1, 5, 6, 3, 3, 4];
const xs = Float32Array.from({ length: N * H * W * C }, (_, i) => Math.sin(i * 0.37) * 2);
const ks = Float32Array.from({ length: K * K * C * O }, (_, i) => Math.cos(i * 0.11) - 0.3);
const expected = new Float64Array(H * W * O);
for (let y = 0; y < H; y++)
  for (let x = 0; x < W; x++)
    for (let o = 0; o < O; o++) {
      let s = 0;
      for (let ky = 0; ky < K; ky++)
        for (let kx = 0; kx < K; kx++) {
          const iy = y + ky - 1;
          const ix = x + kx - 1;
          if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
          for (let c = 0; c < C; c++) s += xs[(iy * W + ix) * C + c] * ks[((ky * K + kx) * C + c) * O + o];
        }
      expected[(y * W + x) * O + o] = s;
    }

const out = tf.tidy(() => tf.conv2d(tf.tensor4d(xs, [N, H, W, C]), tf.tensor4d(ks, [K, K, C, O]), 1, "same"));
const got = await out.data();
out.dispose();
let maxErr = 0;
for (let i = 0; i < expected.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - expected[i]));
if (!(maxErr < 1e-4)) fail(`conv2d on the native backend differs from the reference (max abs error ${maxErr})`);

const binding = tf.backend().binding;
const libVersion = binding && typeof binding.TF_Version === "string" ? binding.TF_Version : "unknown";
console.log(
  `check-native: ok: @tensorflow/tfjs-node ${tf.version["tfjs-node"]} on libtensorflow ${libVersion}, ` +
    `backend "${tf.getBackend()}", conv2d max abs error ${maxErr.toExponential(2)}`,
);
