import { describe, expect, it } from "vitest";
import { axisCuts, borderEnergyRatio, coreInFeatures, planTiles, tileOffsets } from "../src/gatys/tiling/tiles.js";

describe("tile grid", () => {
  it("cuts an axis at offset + k·tile, merging slivers shorter than the alignment", () => {
    expect(axisCuts(100, 32, 0, 16)).toEqual([0, 32, 64, 100]);
    expect(axisCuts(100, 32, 16, 16)).toEqual([0, 16, 48, 80, 100]);
    expect(axisCuts(90, 32, 0, 16)).toEqual([0, 32, 64, 90]);
    expect(axisCuts(70, 32, 0, 16)).toEqual([0, 32, 70]); // 64..70 is a sliver: merged
    expect(axisCuts(20, 32, 0, 16)).toEqual([0, 20]);
  });

  it("cores partition the image, regions add the margin clipped to the image, rows share heights", () => {
    for (const [w, h, t, m, ox, oy] of [
      [200, 130, 64, 32, 0, 0],
      [200, 130, 64, 32, 48, 16],
      [97, 301, 48, 16, 32, 16],
    ] as const) {
      const grid = planTiles(w, h, t, m, ox, oy, 16);
      const covered = new Uint8Array(w * h);
      for (const row of grid) {
        for (const tile of row) {
          expect(tile.core.y).toBe(row[0]!.core.y);
          expect(tile.core.height).toBe(row[0]!.core.height);
          expect(tile.core.x % 16).toBe(0);
          expect(tile.core.y % 16).toBe(0);
          expect(tile.region.x).toBe(Math.max(0, tile.core.x - m));
          expect(tile.region.x + tile.region.width).toBe(Math.min(w, tile.core.x + tile.core.width + m));
          for (let y = tile.core.y; y < tile.core.y + tile.core.height; y++) {
            for (let x = tile.core.x; x < tile.core.x + tile.core.width; x++) covered[y * w + x]! += 1;
          }
        }
      }
      expect(covered.every((c) => c === 1)).toBe(true);
    }
  });

  it("maps a core to whole feature cells, to the end of the map at the image's edge", () => {
    const grid = planTiles(100, 100, 32, 16, 0, 0, 16);
    const inner = grid[1]![1]!; // core 32..64, region 16..80
    expect(coreInFeatures(inner, 4, 16, 16)).toEqual({ x: 4, y: 4, width: 8, height: 8 });
    const last = grid[2]![2]!; // core 64..100, region 48..100 (52 px: 13 cells at stride 4)
    expect(coreInFeatures(last, 4, 13, 13)).toEqual({ x: 4, y: 4, width: 9, height: 9 });
  });

  it("draws grid offsets reproducibly from the seed, aligned and inside the tile", () => {
    const a = tileOffsets(7, 64, 16);
    const b = tileOffsets(7, 64, 16);
    const seen = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const p = a();
      expect(b()).toEqual(p);
      expect(p.x % 16).toBe(0);
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.x).toBeLessThan(64);
      seen.add(p.x);
    }
    expect(seen.size).toBe(4); // every offset comes up: borders move
  });
});

describe("border energy ratio", () => {
  // A painterly texture stands in for a result: seeded noise, the same statistics everywhere.
  const image = (seam: number) => {
    const w = 64,
      h = 64,
      px = new Float32Array(w * h * 3);
    let state = 12345;
    const noise = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 3; c++) px[(y * w + x) * 3 + c] = 0.4 + 0.2 * noise() + (x >= 32 ? seam : 0);
      }
    }
    return px;
  };

  it("is about 1 for a texture without seams and well above 1 with a step at a tile border", () => {
    const smooth = borderEnergyRatio(image(0), 64, 64, 32);
    expect(smooth).toBeGreaterThan(0.7);
    expect(smooth).toBeLessThan(1.3);
    expect(borderEnergyRatio(image(0.2), 64, 64, 32)).toBeGreaterThan(2);
  });
});
