import { jobCreateInputSchema } from "../../shared/jobSchemas";
import type { PasticheApp } from "../app";

type LimitedJobSchema = ReturnType<typeof jobCreateInputSchema>;

// Built once per configuration (the limits object lives as long as the app), not per request.
const limitedSchemas = new WeakMap<PasticheApp["config"]["limits"], LimitedJobSchema>();

/** `jobs.create`'s input schema with this server's limits (and the defaults they imply). */
export function limitedJobSchema(app: PasticheApp): LimitedJobSchema {
  let schema = limitedSchemas.get(app.config.limits);
  if (!schema) {
    schema = jobCreateInputSchema(app.config.limits);
    limitedSchemas.set(app.config.limits, schema);
  }
  return schema;
}
