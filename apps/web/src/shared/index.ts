// Everything the browser may import from the server's contract (no server code).
export * from "./jobSchemas";
export { ID_PATTERN } from "./ids";
