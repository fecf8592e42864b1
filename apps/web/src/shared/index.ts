// Everything the browser may import from the server's contract (no server code).
export * from "./jobSchemas.js";
export { ID_PATTERN } from "./ids.js";
