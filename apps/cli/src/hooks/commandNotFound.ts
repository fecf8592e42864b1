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
  // With spaces as separators, `stylze a.jpg` arrives as "stylze:a.jpg": the command is the first
  // word, or the first two under a topic (`models verfy`).
  const words = opts.id.split(":");
  const id = words.slice(0, opts.config.findTopic(words[0]!) ? 2 : 1).join(":");
  const ids = opts.config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]);
  const closest = ids.map((candidate) => ({ id: candidate, distance: levenshtein.get(id, candidate) })).sort((a, b) => a.distance - b.distance)[0];
  const typed = toConfiguredId(id, opts.config);
  const suggestion = closest && closest.distance <= Math.max(2, Math.floor(id.length / 3)) ? toConfiguredId(closest.id, opts.config) : undefined;
  const message = `${typed} is not a ${opts.config.bin} command${suggestion ? `; did you mean ${suggestion}?` : ""} (${opts.config.bin} help lists them)`;
  reportError({ code: "UNKNOWN_COMMAND", message }, (opts.argv ?? []).includes("--json"));
  process.exit(127);
};

export default hook;
