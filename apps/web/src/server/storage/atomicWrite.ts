// The one atomic write (temp file, fsync, rename) lives in @pastiche/node.
export { writeFileAtomic } from "@pastiche/node/light";
