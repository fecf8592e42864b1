import { config } from "@pastiche/eslint-config";

export default [...config({ tsconfigRootDir: import.meta.dirname }), { ignores: [".next/**", "dist-static/**", "next-env.d.ts"] }];
