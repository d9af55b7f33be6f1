// Vite config: the app is served by the API at "/" in production (`kinema up`), so in
// development the API is reached through the dev server's proxy under the same origin,
// which keeps the httpOnly session cookie first-party.
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

const api = process.env.KINEMA_API_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      "/api": { target: api, changeOrigin: false },
      "/media": { target: api, changeOrigin: false },
    },
  },
  build: {
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        // Shaka is large and changes rarely: its own chunk caches well across deploys.
        manualChunks: (id) => (id.includes("node_modules/shaka-player") ? "shaka" : undefined),
      },
    },
  },
});
