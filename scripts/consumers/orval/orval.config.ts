// orval: its fetch client, in one file, from the generator-facing document that $ELIZA_SPEC names.
import { defineConfig } from "orval";

export default defineConfig({
  eliza: {
    input: { target: process.env.ELIZA_SPEC ?? "ELIZA_SPEC is not set" },
    output: {
      target: "generated/api.ts",
      client: "fetch",
      mode: "single",
      override: { mutator: { path: "./fetcher.ts", name: "elizaFetch" } },
    },
  },
});
