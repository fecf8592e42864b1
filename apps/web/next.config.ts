import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native and WASM modules stay in node_modules instead of being bundled.
  serverExternalPackages: ["@pastiche/node", "@pastiche/core", "better-sqlite3", "sharp", "@tensorflow/tfjs-node", "@tensorflow/tfjs-backend-wasm", "h5wasm"],
  poweredByHeader: false,
  reactStrictMode: true,
  // What neither the proxy (pages) nor the API's own headers cover: static files, Next's own 404s.
  async headers() {
    return [
      { source: "/:path*", headers: [{ key: "X-Content-Type-Options", value: "nosniff" }] },
      { source: "/_next/static/:path*", headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" }] },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'; sandbox" }] },
    ];
  },
};

export default nextConfig;
