// What `pnpm setup:native` installs. Change these together, and only after re-running the
// symbol check and the conv check (see docs: "Native backend (tfjs-node) from the PyPI wheel").

/**
 * TensorFlow release whose libraries back tfjs-node's addon.
 *
 * tfjs-node 4.22 is written against libtensorflow 2.9.1 (scripts/deps-constants.js). The PyPI
 * wheels of TF 2.9–2.11 keep the C API (TF_*, TFE_*) inside python/_pywrap_tensorflow_internal.so,
 * which needs libpython's data symbols at load time, so Node cannot dlopen it. From 2.12 the wheel
 * ships libtensorflow_cc.so.2, which exports the whole C and eager C API and depends only on
 * libtensorflow_framework.so.2 and the C/C++ runtime. 2.12.1 is the closest such release to
 * 2.9.1 (its latest patch). The addon is compiled against the headers of this same wheel, so the
 * TFE_* signatures it calls are those of the library it loads.
 */
export const TENSORFLOW = Object.freeze({
  version: "2.12.1",
  project: "tensorflow-cpu",
  // Any CPython tag works (we only take the .so files and the C headers); this one is cp311.
  pythonVersion: "3.11",
  platform: "manylinux2014_x86_64",
  wheel: "tensorflow_cpu-2.12.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
  size: 231_826_663,
  sha256: "7ffb595707a8fb376deaddc768784c7a0242b16cbc6e06393b1733b2ce19f855",
  /** Wheel members we keep: the two libraries and the C headers (plus what they include). */
  libraries: ["tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"],
  includePrefix: "tensorflow/include/tensorflow/",
});

/** The tfjs-node release this was verified with (its binding sources are compiled as they are). */
export const TFJS_NODE_VERSION = "4.22.0";

/** node-gyp run through `pnpm dlx` (12.x supports Node ^20.17). */
export const NODE_GYP = "node-gyp@12.4.0";
