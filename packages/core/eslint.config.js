import { config, noNodeApis } from "@pastiche/eslint-config";

export default [...config({ tsconfigRootDir: import.meta.dirname }), { files: ["src/**/*.ts"], ...noNodeApis }];
