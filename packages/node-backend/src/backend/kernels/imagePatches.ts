import * as tf from "@tensorflow/tfjs-core";
import { IMAGE_PATCHES, type ImagePatchesAttrs, type ImagePatchesInputs } from "@pastiche/core";
import type { NativeBackend } from "./nativeBackend.js";

/**
 * core's image patches (ops/imagePatches.ts) as TensorFlow's ExtractImagePatches, one multi-threaded
 * copy where the composite is size² strided slices (TensorFlow's StridedSlice is a slow, serial
 * copy). Registered once when tfjs-node becomes the backend.
 */
export function registerNativeImagePatches(): void {
  if (tf.getKernel(IMAGE_PATCHES, "tensorflow") !== undefined) return;
  tf.registerKernel({
    kernelName: IMAGE_PATCHES,
    backendName: "tensorflow",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x } = inputs as ImagePatchesInputs;
      const { size, stride } = attrs as unknown as ImagePatchesAttrs;
      const native = backend as unknown as NativeBackend;
      const b = native.binding;
      return native.executeSingleOutput(
        "ExtractImagePatches",
        [
          { name: "T", type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
          { name: "ksizes", type: b.TF_ATTR_INT, value: [1, size, size, 1] },
          { name: "strides", type: b.TF_ATTR_INT, value: [1, stride, stride, 1] },
          { name: "rates", type: b.TF_ATTR_INT, value: [1, 1, 1, 1] },
          { name: "padding", type: b.TF_ATTR_STRING, value: "VALID" },
        ],
        [x],
      );
    },
  });
}
