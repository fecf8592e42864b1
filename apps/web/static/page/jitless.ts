// zod (used by core's option schemas) probes `Function("")` to decide whether to compile fast
// parsers; under this page's CSP that probe is a reported violation. Interpreted parsing is fast
// enough for a handful of options, so it is switched off before any schema runs (imported first).
import { config } from "zod";

config({ jitless: true });
