#!/usr/bin/env node
import { execute } from "@oclif/core";

// When the native backend (tfjs-node) loads, libtensorflow logs INFO lines ("oneDNN custom
// operations are on", "This TensorFlow binary is optimized…") to stderr, which would break the
// one-line `pastiche: error: …` contract and clutter progress output. Keep TF's own errors; a user
// who wants the rest can set TF_CPP_MIN_LOG_LEVEL themselves.
process.env.TF_CPP_MIN_LOG_LEVEL ??= "2";

await execute({ dir: import.meta.url });
