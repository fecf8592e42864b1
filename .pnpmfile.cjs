// Loaded by pnpm before it installs anything. better-sqlite3 (the web app's job database) compiles
// its addon with node-gyp when no prebuilt binary can be fetched (offline), and node-gyp downloads
// Node's headers unless told where they are: point it at the running Node's own headers, so a plain
// `pnpm install` works offline with no environment variable set. An explicit setting wins.
const { existsSync } = require("node:fs");
const path = require("node:path");

function nodePrefixWithHeaders() {
  // pnpm runs on Node (process.execPath), unless it is pnpm's standalone binary: then the `node` on PATH.
  const candidates = [process.execPath, ...(process.env.PATH ?? "").split(path.delimiter).map((dir) => path.join(dir, "node"))];
  for (const node of candidates) {
    const prefix = path.dirname(path.dirname(node));
    if (existsSync(path.join(prefix, "include", "node", "node_api.h"))) return prefix;
  }
  return undefined;
}

if (!process.env.npm_config_nodedir) {
  const prefix = nodePrefixWithHeaders();
  if (prefix) process.env.npm_config_nodedir = prefix;
}

module.exports = {};
