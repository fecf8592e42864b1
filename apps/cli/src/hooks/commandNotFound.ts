/**
 * An unknown command (`pastiche stylze`): on a terminal, @oclif/plugin-not-found asks "Did you mean
 * stylize?" and runs it; otherwise (scripts, CI, pipes) one error line with the suggestion, or one
 * JSON object under --json, and exit 127 (the shell's "command not found").
 */
import { toConfiguredId, type Hook } from "@oclif/core";
import notFound from "@oclif/plugin-not-found";
import levenshtein from "fast-levenshtein";
import { reportError } from "../lib/errors.js";

const hook: Hook.CommandNotFound = async function (opts) {
  if (process.stdin.isTTY && !(opts.argv ?? []).includes("--json")) return notFound.call(this, opts);
  const ids = opts.config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]);
  const closest = ids.map((id) => ({ id, distance: levenshtein.get(opts.id, id) })).sort((a, b) => a.distance - b.distance)[0];
  const typed = toConfiguredId(opts.id, opts.config);
  const suggestion = closest && closest.distance <= Math.max(2, Math.floor(opts.id.length / 3)) ? toConfiguredId(closest.id, opts.config) : undefined;
  const message = `${typed} is not a ${opts.config.bin} command${suggestion ? `; did you mean ${suggestion}?` : ""} (${opts.config.bin} help lists them)`;
  reportError({ code: "UNKNOWN_COMMAND", message }, (opts.argv ?? []).includes("--json"));
  process.exit(127);
};

export default hook;
