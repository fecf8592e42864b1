/** One stage of a coarse-to-fine run: its position and the image size it optimises at. */
export interface StageInfo {
  /** 0-based. */
  readonly index: number;
  readonly count: number;
  readonly width: number;
  readonly height: number;
  /** Set when this stage is optimised in tiles of this side (too large for one VGG pass). */
  readonly tileSize?: number;
}
