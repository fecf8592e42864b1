import * as tf from "@tensorflow/tfjs-core";
import { expect, it } from "vitest";
import { depthToSpace, spaceToDepth } from "../src/ops/pixelBlocks.js";

it.each([2, 3])("depth-to-space by %i matches tf.depthToSpace's channel order, and space-to-depth undoes it", async (block) => {
  const x = tf.reshape<tf.Rank.R4>(tf.range(0, 2 * 4 * 5 * block * block * 3), [2, 4, 5, block * block * 3]);
  const d2s = depthToSpace(x, block);
  const reference = tf.depthToSpace(x, block);
  expect(d2s.shape).toEqual([2, 4 * block, 5 * block, 3]);
  expect(Array.from(await d2s.data())).toEqual(Array.from(await reference.data()));
  const back = spaceToDepth(d2s, block);
  expect(back.shape).toEqual(x.shape);
  expect(Array.from(await back.data())).toEqual(Array.from(await x.data()));
  tf.dispose([x, d2s, reference, back]);
});
