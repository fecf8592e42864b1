// Run by pnpm before it installs anything (`pnpm:devPreinstall`). better-sqlite3 (the web app's job
// database) compiles its addon with node-gyp when no prebuilt binary can be fetched (offline), and
// node-gyp downloads Node's headers unless it finds them in its cache. This Node ships its headers
// (<prefix>/include/node), so link them into node-gyp's cache as an installed version: a plain
// `pnpm install` then works offline with no environment variable set. Nothing changes when the cache
// already has this version, when npm_config_nodedir is set, or when the headers are not there.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

// node-gyp's own "installVersion" (lib/install.js): a cache entry at least this new is used as is.
const INSTALL_VERSION = 11;

const prefix = path.dirname(path.dirname(process.execPath));
const headers = path.join(prefix, "include", "node");
const devDir = process.env.npm_config_devdir || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "node-gyp");
const versionDir = path.join(devDir, process.version.slice(1));
const installed = path.join(versionDir, "installVersion");

const current = existsSync(installed) ? Number.parseInt(readFileSync(installed, "ascii"), 10) || 0 : 0;
if (process.env.npm_config_nodedir || current >= INSTALL_VERSION || !existsSync(path.join(headers, "common.gypi")) || process.platform === "win32") {
  process.exit(0);
}
mkdirSync(path.join(versionDir, "include"), { recursive: true });
const link = path.join(versionDir, "include", "node");
if (!existsSync(link)) symlinkSync(headers, link, "dir");
writeFileSync(installed, `${INSTALL_VERSION}\n`);
console.log(`node-gyp: using this Node's headers (${headers}) for ${process.version}`);
