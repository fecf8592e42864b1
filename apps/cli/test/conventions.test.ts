/**
 * oclif's conventions, on the spawned CLI: `help COMMAND`, "did you mean" for a typo, shell
 * completion, one JSON error object under --json, enumerated flags, the config file and its
 * precedence (flags > env > config > defaults), aligned `models list` columns.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectOneErrorLine, lines, removeDir, runCli, type Fixtures, makeWorkspace } from "./helpers.js";

let root: string | undefined;
let fx: Fixtures;
let emptyModels: string;
/** XDG dirs of their own, so the user's real config and caches are never read or written. */
let xdg: Record<string, string>;

beforeAll(async () => {
  ({ root, fx, emptyModels } = await makeWorkspace());
  xdg = { XDG_CONFIG_HOME: path.join(root, "config"), XDG_CACHE_HOME: path.join(root, "cache"), XDG_DATA_HOME: path.join(root, "data") };
  await mkdir(path.join(root, "config", "pastiche"), { recursive: true });
});

afterAll(async () => {
  await removeDir(root);
});

const run = (args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(args, { env: { PASTICHE_MODELS_DIR: emptyModels, PASTICHE_BACKEND: undefined, ...xdg, ...env } });

interface JsonError {
  type: string;
  code: string;
  message: string;
}
function oneJsonError(stdout: string): JsonError {
  const out = lines(stdout);
  expect(out, stdout).toHaveLength(1);
  return JSON.parse(out[0]!) as JsonError;
}

describe.concurrent("help, typos and completion", () => {
  it("`pastiche help stylize` shows the command's help", async () => {
    const r = await run(["help", "stylize"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("$ pastiche stylize CONTENT STYLE... -o OUTPUT [flags]");
    expect(r.stdout).toContain("--config=<value>");
  });

  it("`fast --help` reads CONTENT STYLE...", async () => {
    const r = await run(["fast", "--help"]);
    expect(r.stdout).toContain("$ pastiche fast CONTENT STYLE... -o OUTPUT [flags]");
    expect(r.stdout).not.toContain("CONTENT... STYLE...");
  });

  it("a typo suggests the command, exit 127; under --json as one object", async () => {
    const r = await run(["stylze", "a.jpg"]);
    expectOneErrorLine(r, /stylze is not a pastiche command; did you mean stylize\?/, 127);
    expectOneErrorLine(await run(["models", "verfy"]), /models verfy is not a pastiche command; did you mean models verify\?/, 127);
    const j = await run(["stylze", "--json"]);
    expect(j.code).toBe(127);
    expect(oneJsonError(j.stdout)).toMatchObject({ type: "error", code: "UNKNOWN_COMMAND" });
  });

  it("`autocomplete bash` sets up completion that knows the commands", async () => {
    const r = await run(["autocomplete", "bash"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/pastiche/);
    const cache = path.join(xdg.XDG_CACHE_HOME!, "pastiche", "autocomplete");
    const files = await readdir(cache, { recursive: true });
    const texts = await Promise.all(
      files.filter((f) => f.endsWith(".bash") || f.includes("commands")).map((f) => readFile(path.join(cache, f), "utf8").catch(() => "")),
    );
    expect(texts.join("\n")).toContain("stylize");
  });
});

describe.concurrent("every error under --json is one JSON object with code and message", () => {
  it.each([
    [["stylize", "missing.jpg", "style.png", "-o", "x.png"], "FILE_NOT_FOUND", /missing\.jpg not found/],
    [["stylize", "a.jpg", "b.jpg", "-o", "x.png", "--no-such-flag"], "INVALID_FLAG", /no-such-flag/],
    [["stylize", "a.jpg", "b.jpg", "-o", "x.png", "--backend", "cuda"], "INVALID_FLAG", /--backend=cuda to be one of: auto, tensorflow, wasm/],
    [
      ["stylize", "a.jpg", "b.jpg", "-o", "x.png", "--init", "nosie"],
      "INVALID_OPTION",
      /--init: expected content, noise, .* or the path of an image, got "nosie"/,
    ],
    [["models", "verify", "vgg99"], "INVALID_OPTION", /unknown model "vgg99"/],
    [["models", "download", "vgg19"], "INVALID_FLAG", /Nonexistent flag: --json/],
  ])("%j → %s", async (args, code, message) => {
    const r = await run([...args, "--json"]);
    expect(r.code).not.toBe(0);
    const e = oneJsonError(r.stdout);
    expect(e.type).toBe("error");
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(r.stderr).toBe("");
  });
});

describe("the config file", () => {
  it("supplies defaults; flags beat it, env beats it for --backend; errors name it", async () => {
    const file = path.join(xdg.XDG_CONFIG_HOME!, "pastiche", "config.json");
    const out = path.join(root!, "cfg-out.png");
    await writeFile(file, JSON.stringify({ stylize: { size: 8 } }));
    // The config's size (8) is used, and refused naming the file...
    expectOneErrorLine(
      await run(["stylize", fx.content, fx.style, "-o", out]),
      new RegExp(`--size: must be at least 16, got 8 \\(set in config file ${file.replace(/[.]/g, "\\.")}\\)`),
      2,
    );
    // ...a flag overrides it (the run then gets as far as the model load: exit 3).
    expectOneErrorLine(await run(["stylize", fx.content, fx.style, "-o", out, "--size", "32"]), /VGG19 ImageNet weights \(vgg19\) not found/, 3);

    await writeFile(file, JSON.stringify({ defaults: { backend: "cuda" } }));
    expectOneErrorLine(await run(["stylize", fx.content, fx.style, "-o", out]), /--backend=cuda to be one of.*set in config file/, 2);
    // PASTICHE_BACKEND wins over the config file.
    expectOneErrorLine(await run(["stylize", fx.content, fx.style, "-o", out], { PASTICHE_BACKEND: "wasm" }), /not found/, 3);

    // --config PATH reads another file; a missing one is an error.
    const other = path.join(root!, "other.json");
    await writeFile(other, JSON.stringify({ stylize: { iterations: 0 } }));
    expectOneErrorLine(
      await run(["stylize", fx.content, fx.style, "-o", out, "--config", other]),
      /--iterations: must be at least 1, got 0 \(set in config file/,
      2,
    );
    expectOneErrorLine(
      await run(["stylize", fx.content, fx.style, "-o", out, "--config", path.join(root!, "none.json")]),
      /config file .*none\.json cannot be read/,
      2,
    );
    await writeFile(file, "{}");
  });
});

it("`models list` lines its columns up", async () => {
  const r = await run(["models", "list"]);
  expect(r.code).toBe(0);
  const table = lines(r.stdout).slice(1, 5);
  expect(table[0]).toMatch(/^ID\s+STATUS\s+LICENSE\s+TITLE$/);
  for (const column of ["STATUS", "LICENSE", "TITLE"]) {
    const at = table[0]!.indexOf(column);
    for (const row of table.slice(1)) expect(row[at - 1], row).toBe(" ");
    for (const row of table.slice(1)) expect(row[at], row).not.toBe(" ");
  }
});
