import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native and WASM modules stay in node_modules instead of being bundled.
  serverExternalPackages: ["@pastiche/node", "@pastiche/core", "better-sqlite3", "sharp", "@tensorflow/tfjs-node", "@tensorflow/tfjs-backend-wasm", "h5wasm"],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
