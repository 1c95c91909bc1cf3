// Builds the static page (src/web) into dist/web: the UI with the engine in
// a Web Worker, for any static file host. Asset paths are relative and the
// pages are addressed by the URL's fragment, so it runs from any folder.
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

export default defineConfig({
  root: "src/web",
  base: "./",
  plugins: [preact()],
  worker: { format: "es" },
  build: {
    outDir: "../../dist/web",
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1000,
  },
});
