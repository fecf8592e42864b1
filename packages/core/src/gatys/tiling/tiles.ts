/**
 * The tile grid of a tiled run: pure geometry, no tensors.
 *
 * A large output is optimised in tiles, each seen by VGG with a margin of context around it so its
 * features (and so its gradient) near the tile's edges are close to the whole image's. The grid
 * moves every iteration by a random offset, so no pixel sits on a tile border twice in a row and no
 * seam can build up. Every coordinate is a multiple of `align` (2^pools of the deepest layer used),
 * so a tile's core maps to whole feature cells at every layer.
 */

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Tile {
  /** The pixels this tile is responsible for: the tiles' cores partition the image. */
  readonly core: Rect;
  /** The core plus up to `margin` pixels of context on each side, clipped to the image. */
  readonly region: Rect;
}

/** Tiles in rows (top to bottom), each row left to right; all tiles of a row share the core's y and height. */
export type TileGrid = readonly (readonly Tile[])[];

/**
 * Cut points of one axis: 0, then `offset + k·tileSize` inside (0, length), then `length`. Pieces
 * shorter than `align` are merged into their neighbour (a sliver tile would cost a whole VGG pass).
 */
export function axisCuts(length: number, tileSize: number, offset: number, align: number): number[] {
  const cuts = [0];
  for (let p = offset % tileSize || tileSize; p < length; p += tileSize) {
    if (p - cuts[cuts.length - 1]! >= align) cuts.push(p);
  }
  if (length - cuts[cuts.length - 1]! < align && cuts.length > 1) cuts.pop();
  cuts.push(length);
  return cuts;
}

/** The grid for one iteration. `offsetX`/`offsetY` in [0, tileSize), multiples of `align`. */
export function planTiles(width: number, height: number, tileSize: number, margin: number, offsetX: number, offsetY: number, align: number): TileGrid {
  const xs = axisCuts(width, tileSize, offsetX, align);
  const ys = axisCuts(height, tileSize, offsetY, align);
  const rows: Tile[][] = [];
  for (let j = 0; j + 1 < ys.length; j++) {
    const row: Tile[] = [];
    for (let i = 0; i + 1 < xs.length; i++) {
      const core = { x: xs[i]!, y: ys[j]!, width: xs[i + 1]! - xs[i]!, height: ys[j + 1]! - ys[j]! };
      const x0 = Math.max(0, core.x - margin);
      const y0 = Math.max(0, core.y - margin);
      const x1 = Math.min(width, core.x + core.width + margin);
      const y1 = Math.min(height, core.y + core.height + margin);
      row.push({ core, region: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } });
    }
    rows.push(row);
  }
  return rows;
}

/**
 * The core of `tile` in the feature map of a layer `stride` = 2^pools below the image, relative to
 * the region's feature map of `featureHeight`×`featureWidth` cells. Cores start on multiples of the
 * alignment, so the start is exact; a core ending at the image's edge takes the rest of the map
 * (the pools round down there).
 */
export function coreInFeatures(tile: Tile, stride: number, featureHeight: number, featureWidth: number): Rect {
  const x = (tile.core.x - tile.region.x) / stride;
  const y = (tile.core.y - tile.region.y) / stride;
  const regionRight = tile.region.x + tile.region.width;
  const regionBottom = tile.region.y + tile.region.height;
  const coreRight = tile.core.x + tile.core.width;
  const coreBottom = tile.core.y + tile.core.height;
  const width = coreRight === regionRight ? featureWidth - x : tile.core.width / stride;
  const height = coreBottom === regionBottom ? featureHeight - y : tile.core.height / stride;
  return { x, y, width: Math.max(0, Math.min(width, featureWidth - x)), height: Math.max(0, Math.min(height, featureHeight - y)) };
}

/** Deterministic offsets for each iteration (mulberry32), multiples of `align` in [0, tileSize). */
export function tileOffsets(seed: number, tileSize: number, align: number): () => { x: number; y: number } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const steps = Math.max(1, Math.floor(tileSize / align));
  return () => ({ x: Math.floor(next() * steps) * align, y: Math.floor(next() * steps) * align });
}

/**
 * Gradient energy across tile borders relative to elsewhere: the mean squared difference between
 * horizontally (vertically) adjacent pixels on the columns (rows) where a grid of `tileSize` from
 * `offset` cuts, over the same mean on all other columns (rows). About 1 without seams; a seam
 * shows as a ratio well above 1. `pixels` is RGB, row-major, `width`×`height`.
 */
export function borderEnergyRatio(pixels: ArrayLike<number>, width: number, height: number, tileSize: number, offset = 0): number {
  let border = 0;
  let borderCount = 0;
  let interior = 0;
  let interiorCount = 0;
  const isCut = (p: number) => p > 0 && (p - offset) % tileSize === 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const v = pixels[(y * width + x) * 3 + c]!;
        if (x > 0) {
          const d = v - pixels[(y * width + x - 1) * 3 + c]!;
          if (isCut(x)) {
            border += d * d;
            borderCount++;
          } else {
            interior += d * d;
            interiorCount++;
          }
        }
        if (y > 0) {
          const d = v - pixels[((y - 1) * width + x) * 3 + c]!;
          if (isCut(y)) {
            border += d * d;
            borderCount++;
          } else {
            interior += d * d;
            interiorCount++;
          }
        }
      }
    }
  }
  return borderCount === 0 || interior === 0 ? 1 : border / borderCount / (interior / interiorCount);
}
