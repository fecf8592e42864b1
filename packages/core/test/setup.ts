// Core is backend-agnostic; its tests run on WASM (never the slow pure-JS cpu backend) and need
// tfjs's gradient definitions, which "@tensorflow/tfjs" registers.
import "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs-core";

await tf.setBackend("wasm");
await tf.ready();
