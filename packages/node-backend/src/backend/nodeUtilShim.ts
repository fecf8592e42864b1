import util from "node:util";

/**
 * tfjs-node 4.22 (the last release) checks every op's dtype attribute with `util.isNullOrUndefined`,
 * which Node 23 removed: on Node 24 its backend loads and then every op throws. Put it back, as Node
 * 22 defined it, before tfjs-node runs; a no-op where Node still has it.
 */
export function restoreUtilIsNullOrUndefined(): void {
  const u = util as unknown as { isNullOrUndefined?: (value: unknown) => boolean };
  u.isNullOrUndefined ??= (value) => value === null || value === undefined;
}
