// Builds the web UI (src/ui) into dist/ui, where `gotrace view` serves it from.
// Everything is bundled: the page loads nothing from the internet.
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

export default defineConfig({
  root: "src/ui",
  base: "./",
  plugins: [preact()],
  build: {
    outDir: "../../dist/ui",
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1000,
  },
});
