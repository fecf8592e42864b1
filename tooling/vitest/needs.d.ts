import type { SuiteFactory, TestFunction } from "vitest";

export declare const REPO_ROOT: string;
export declare const SHARED_DIR: string;
export declare const NO_WEIGHTS: string;
export declare function modelsDir(): string | undefined;
export declare function sharedImagesDir(): string | undefined;
export declare function chromiumPath(): string | undefined;
export declare function postgresBinDir(): string | undefined;
export declare const needs: {
  models(...subdirs: string[]): string | undefined;
  sharedImages(): string | undefined;
  chromium(): string | undefined;
  postgres(): string | undefined;
  ffmpeg(): string | undefined;
};
export declare function missing(...reasons: (string | undefined)[]): string | undefined;
export declare function describeNeeding(reasons: readonly (string | undefined)[], title: string, fn: SuiteFactory): void;
export declare function itNeeding(reasons: readonly (string | undefined)[], title: string, fn: TestFunction, timeout?: number): void;
