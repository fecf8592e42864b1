import { PasticheError } from "@pastiche/core/schemas";

/**
 * The catalogue of model files Pastiche knows, as data: for each model, the local forms it accepts
 * (in search order, relative to the models directory) and where to download it. New models (e.g. the
 * Magenta arbitrary-stylisation networks) are added as entries here; a new file format adds a kind.
 */

/** File formats a model can be stored in. */
export type ModelFileKind = "layers-model" | "keras-h5" | "tflite";

/** One way a model may be present in the models directory: its file kind and path. */
export interface LocalModelForm {
  kind: ModelFileKind;
  /** Path relative to the models directory: a model.json for layers models, the file otherwise. */
  path: string;
}

/** Where a model is downloaded from, with the hash and size expected. */
export interface ModelDownloadSource {
  /** The file as downloaded: what it is and where it goes, relative to the models directory. */
  kind: ModelFileKind;
  fileName: string;
  url: string;
  /** Lower-case hex md5 of the whole file (the hash Keras' `get_file` checks), or UNKNOWN_MD5 when
   * no hash is published: then download and verify report the hash as "not checked". */
  md5: string;
  /** Size in bytes; used for progress when the server sends no Content-Length. */
  sizeBytes: number;
}

/** A model Pastiche knows: its id, title, licence, accepted local forms and download source. */
export interface ModelEntry {
  id: string;
  /** Human name used in messages, e.g. "VGG19 ImageNet weights". */
  title: string;
  license: string;
  /** Accepted local forms, in the order they are searched. */
  localForms: readonly LocalModelForm[];
  /** Where `pastiche models download <id>` gets it; absent for models that cannot be downloaded. */
  download?: ModelDownloadSource;
}

/** VGG19's ImageNet weights (Keras Applications, no top), for Gatys runs. */
export const VGG19_MODEL: ModelEntry = {
  id: "vgg19",
  title: "VGG19 ImageNet weights",
  license: "CC BY 4.0 (Oxford VGG)",
  localForms: [
    { kind: "layers-model", path: "vgg19-notop-uint8/model.json" },
    { kind: "layers-model", path: "vgg19-notop/model.json" },
    { kind: "layers-model", path: "vgg19/model.json" },
    { kind: "keras-h5", path: "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5" },
  ],
  download: {
    kind: "keras-h5",
    fileName: "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
    url: "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
    md5: "253f8cb515780f3b799900260a226db6",
    sizeBytes: 80_134_624,
  },
};

/** `md5` of a download whose publisher gives no hash: nothing to check it against. */
export const UNKNOWN_MD5 = "unknown";

// Magenta's arbitrary image stylisation (Ghiasi et al. 2017) as TF Hub publishes it for TFLite:
// `google/magenta/arbitrary-image-stylization-v1-256`, int8 and fp16 variants. TF Hub publishes no
// hashes for these files, so none is checked.
const TFHUB_MAGENTA = "https://tfhub.dev/google/lite-model/magenta/arbitrary-image-stylization-v1-256";

/** Magenta's arbitrary-style prediction network (TFLite), the first half of Fast runs. */
export const MAGENTA_STYLE_PREDICT_MODEL: ModelEntry = {
  id: "magenta-style-predict",
  title: "Magenta arbitrary stylisation, style-prediction network (TFLite)",
  license: "Apache-2.0 (Magenta)",
  localForms: [{ kind: "tflite", path: "magenta-arbitrary-tflite/style_predict_quantized_256.tflite" }],
  download: {
    kind: "tflite",
    fileName: "magenta-arbitrary-tflite/style_predict_quantized_256.tflite",
    url: `${TFHUB_MAGENTA}/int8/prediction/1?lite-format=tflite`,
    md5: UNKNOWN_MD5,
    sizeBytes: 2_828_838,
  },
};

/** Magenta's arbitrary-style transfer network (TFLite, int8 or fp16), the second half of Fast runs. */
export const MAGENTA_STYLE_TRANSFER_MODEL: ModelEntry = {
  id: "magenta-style-transfer",
  title: "Magenta arbitrary stylisation, style-transfer network (TFLite)",
  license: "Apache-2.0 (Magenta)",
  localForms: [
    { kind: "tflite", path: "magenta-arbitrary-tflite/style_transfer_quantized_384.tflite" },
    { kind: "tflite", path: "magenta-arbitrary-tflite/style_transfer_f16_384.tflite" },
  ],
  download: {
    kind: "tflite",
    fileName: "magenta-arbitrary-tflite/style_transfer_quantized_384.tflite",
    url: `${TFHUB_MAGENTA}/int8/transfer/1?lite-format=tflite`,
    md5: UNKNOWN_MD5,
    sizeBytes: 284_398,
  },
};

/** Every known model by id (`pastiche models list`). */
export const MODEL_REGISTRY: Readonly<Record<string, ModelEntry>> = {
  [VGG19_MODEL.id]: VGG19_MODEL,
  [MAGENTA_STYLE_PREDICT_MODEL.id]: MAGENTA_STYLE_PREDICT_MODEL,
  [MAGENTA_STYLE_TRANSFER_MODEL.id]: MAGENTA_STYLE_TRANSFER_MODEL,
};

/** Every known model, in the registry's order. */
export function listModels(): ModelEntry[] {
  return Object.values(MODEL_REGISTRY);
}

/** The registry entry for `id`; INVALID_OPTION naming the known ids otherwise. */
export function getModelEntry(id: string): ModelEntry {
  const entry = MODEL_REGISTRY[id];
  if (!entry) {
    throw new PasticheError("INVALID_OPTION", `unknown model "${id}": known models are ${Object.keys(MODEL_REGISTRY).join(", ")}`);
  }
  return entry;
}
