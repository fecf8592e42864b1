import { defineConfig } from "vite";
import { staticSiteConfig } from "./static/siteConfig.ts";

// `pnpm --filter @pastiche/web build:static`: the page that needs no server code (see static/siteConfig.ts);
// the models come from PASTICHE_MODELS_DIR (an absolute path), else where the CLI keeps them.
export default defineConfig(staticSiteConfig());
