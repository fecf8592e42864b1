import util from "node:util";
import { describe, expect, it } from "vitest";
import { restoreUtilIsNullOrUndefined } from "../../src/backend/nodeUtilShim.js";

type UtilWithCheck = { isNullOrUndefined?: (value: unknown) => boolean };

describe("util.isNullOrUndefined for tfjs-node on Node ≥ 23", () => {
  it("is put back as Node 22 defined it where Node removed it, and left alone where it exists", () => {
    const u = util as unknown as UtilWithCheck;
    const own = u.isNullOrUndefined;
    try {
      delete u.isNullOrUndefined; // what Node 24 looks like
      restoreUtilIsNullOrUndefined();
      const check = u.isNullOrUndefined!;
      expect([null, undefined, 0, "", false, Number.NaN, []].map((v) => check(v))).toEqual([true, true, false, false, false, false, false]);
      const mine = () => true;
      u.isNullOrUndefined = mine;
      restoreUtilIsNullOrUndefined();
      expect(u.isNullOrUndefined).toBe(mine);
    } finally {
      if (own) u.isNullOrUndefined = own;
      else delete u.isNullOrUndefined;
    }
  });
});
