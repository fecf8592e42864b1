import { z } from "zod";
import { PasticheError } from "../errors.js";

/** A loss or blend weight: a finite, non-negative number. */
export const weightSchema = z.number().nonnegative();

/** One weight per style image, normalised to sum to 1 where used; they cannot all be zero. */
export const styleBlendWeightsSchema = z
  .array(weightSchema)
  .refine((ws) => ws.some((w) => w > 0), { message: "style blend weights are all zero" })
  .optional();

/**
 * Validate options at the edge with a run's schema: the first problem becomes a one-line
 * PasticheError naming the option (UNKNOWN_LAYER for a bad layer name, else INVALID_OPTION).
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: z.input<S>): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  const code = issue.message.startsWith("unknown VGG19 layer") ? "UNKNOWN_LAYER" : "INVALID_OPTION";
  throw new PasticheError(code, `invalid option ${where}${issue.message}`);
}
