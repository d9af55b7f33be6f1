// Vite config: the app is served by the API at "/" in production (`kinema up`), so in
// development the API is reached through the dev server's proxy under the same origin,
// which keeps the httpOnly session cookie first-party.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants as zlib, gzip } from "node:zlib";
import { defineConfig } from "vite";
import type { Plugin } from "vite";
import react from "@vitejs/plugin-react";
import { VitePWA } from "vite-plugin-pwa";

const api = process.env.KINEMA_API_URL ?? "http://127.0.0.1:8000";

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);
const COMPRESSIBLE = /\.(js|mjs|css|svg|json|txt|wasm)$/;

// Writes `x.br` and `x.gz` beside every compressible asset, once, at build time, at the
// best levels: the API's /assets mount serves them by Accept-Encoding, so no request ever
// pays for compression and Shaka's ~700 KB travel as ~200 KB. Source maps are left alone
// (only developer tools fetch them).
function precompress(): Plugin {
  return {
    name: "kinema-precompress",
    apply: "build",
    async writeBundle(options, bundle) {
      const dir = options.dir ?? "dist";
      await Promise.all(
        Object.keys(bundle)
          .filter((name) => name.startsWith("assets/") && COMPRESSIBLE.test(name))
          .map(async (name) => {
            const file = join(dir, name);
            const raw = await readFile(file);
            if (raw.length < 1024) return;
            const [br, gzipped] = await Promise.all([
              brotli(raw, {
                params: {
                  [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
                  [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length,
                },
              }),
              gz(raw, { level: zlib.Z_BEST_COMPRESSION }),
            ]);
            if (br.length < raw.length) await writeFile(`${file}.br`, br);
            if (gzipped.length < raw.length) await writeFile(`${file}.gz`, gzipped);
          }),
      );
    },
  };
}

// A cold /watch/<id> load plays before the app runs: the API serves `watch.html` there
// (api/kinema_api/app.py), whose entry is the boot script (src/boot/watchBoot.ts) instead
// of the app's. Its head names the chunks the boot needs (modulepreload: fetched and
// compiled at once, evaluated when imported): Shaka and the warm start. The app's own
// chunks are asked for by the boot after the first frame. index.html, which the service
// worker answers every navigation with, gets a small script that adds modulepreload
// links for the watch page's chunks on watch pages (the app's own warm start then
// preloads the source while React renders). Neither is inline: the server's
// Content-Security-Policy allows scripts from 'self' only. The chunk names are known only
// once the bundle is written, hence a plugin; enforce "post": this runs after Vite's HTML
// plugin has written index.html.
function watchShell(): Plugin {
  return {
    name: "kinema-watch-shell",
    apply: "build",
    enforce: "post",
    generateBundle(_options, bundle) {
      const html = bundle["index.html"];
      if (!html || html.type !== "asset") return;
      const chunks = Object.values(bundle).filter((c) => c.type === "chunk");
      const byModule = (suffix: string) => chunks.find((c) => c.moduleIds.some((m) => m.endsWith(suffix)));
      const watch = byModule("/src/routes/Watch.tsx");
      const boot = byModule("/src/boot/watchBoot.ts");
      const warm = byModule("/src/components/Player/warmStart.ts");
      const entry = chunks.find((c) => c.isEntry && c.facadeModuleId?.endsWith("/index.html"));
      if (!watch || !boot || !warm || !entry) throw new Error("watch shell: a chunk is missing from the bundle");
      const shell = String(html.source);
      // watch.html: the boot script in place of the app's entry, its chunks preloaded.
      const byFile = new Map(chunks.map((c) => [c.fileName, c]));
      const bootFiles = new Set<string>();
      const add = (file: string) => {
        if (bootFiles.has(file)) return;
        bootFiles.add(file);
        byFile.get(file)?.imports.forEach(add);
      };
      [...boot.imports, warm.fileName].forEach(add);
      const entryTag = /<script type="module" crossorigin src="[^"]*"><\/script>\n/;
      if (!entryTag.test(shell)) throw new Error("watch shell: index.html has no entry script");
      const bootTags = [
        // async: it runs as soon as it (and its small imports) arrive, not after the
        // stylesheets and the rest of the document.
        `<script type="module" async crossorigin src="/${boot.fileName}"></script>`,
        ...[...bootFiles].map((f) => `<link rel="modulepreload" crossorigin href="/${f}">`),
        // The page's own stylesheet (Vite adds it when the chunk is imported; preloaded here,
        // it is in the cache by then).
        ...[...(watch.viteMetadata?.importedCss ?? [])].map((f) => `<link rel="preload" as="style" crossorigin href="/${f}">`),
      ];
      const withoutEntry = shell
        .replace(entryTag, "")
        .replace(/ *<link rel="modulepreload" crossorigin href="[^"]*">\n/g, "");
      this.emitFile({
        type: "asset",
        fileName: "watch.html",
        source: withoutEntry.replace("  </head>", `${bootTags.map((l) => `    ${l}\n`).join("")}  </head>`),
      });
      // index.html on a watch path (the service worker's answer): the watch page's chunks.
      const already = new Set([entry.fileName, ...entry.imports]);
      const files = [watch.fileName, ...watch.imports.filter((f) => !already.has(f))];
      const json = JSON.stringify(files.map((f) => `/${f}`));
      const source =
        `if(/^\\/watch\\//.test(location.pathname)){for(const h of ${json}){` +
        `const l=document.createElement("link");l.rel="modulepreload";l.crossOrigin="";l.href=h;document.head.appendChild(l)}}\n`;
      const ref = this.emitFile({ type: "asset", name: "watch-preload.js", source });
      const tag = `<script async src="/${this.getFileName(ref)}"></script>`;
      html.source = shell.replace("</head>", `  ${tag}\n  </head>`);
    },
  };
}

// The app shell works offline (the Downloads page plays stored titles with no network):
// a Workbox service worker generated at build time precaches the built files and
// answers navigations with index.html. Never the API (/api, /media): API answers and
// media are always the network's (downloads live in Shaka's storage, not this cache).
// Nor a watch page (/watch/<id>): it streams, so it needs the network anyway, and the
// API's answer there is watch.html with its playback request preloaded (see watchShell);
// its scripts still come from this cache.
// The app registers it itself (src/lib/serviceWorker.ts), once a page has started: the
// install downloads every built file, which must not compete with a first frame.
const pwa = VitePWA({
  registerType: "autoUpdate",
  injectRegister: false,
  manifest: false,
  workbox: {
    globPatterns: ["**/*.{js,css,html,svg,png,ico,woff2}"],
    globIgnores: ["**/*.map"],
    navigateFallback: "/index.html",
    navigateFallbackDenylist: [/^\/api\//, /^\/media\//, /^\/watch\//],
    // Shaka's chunk is about 700 KB; the default 2 MiB cap leaves room, stated here.
    maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
    cleanupOutdatedCaches: true,
    clientsClaim: true,
    skipWaiting: true,
  },
});

export default defineConfig({
  plugins: [react(), precompress(), watchShell(), pwa],
  resolve: {
    alias: [
      // The smallest Shaka build with what the player uses (HLS, the DASH fallback,
      // side-loaded WebVTT): the ES2021 "compiled" build, ~15% smaller than the package's
      // ES5 default that `main` names. The HLS-only build has no DASH parser. Types still
      // come from the package's default declarations, which describe the same API.
      { find: /^shaka-player$/, replacement: "shaka-player/dist/shaka-player.compiled-es2021.js" },
    ],
  },
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
    // CommonJS modules (Shaka's compiled build, React) become top-level code in their
    // chunk instead of a function called on first use: V8 compiles top-level code while
    // the chunk streams in, off the main thread, but a function only when it is called,
    // on the main thread. Shaka's body compiled at first use cost about 45 ms of a cold
    // watch page's first frame.
    commonjsOptions: { strictRequires: false },
    rollupOptions: {
      // The app (index.html) and a watch page's boot script (watch.html, see watchShell).
      input: { index: "index.html", watchBoot: "src/boot/watchBoot.ts" },
      output: {
        // Shaka is large and changes rarely: its own chunk caches well across deploys.
        // Rollup's CommonJS helpers are pinned to a chunk of their own: left alone they land
        // in Shaka's chunk (a manual chunk takes its unassigned dependencies), and then every
        // page, the home page included, waited for Shaka's 700 KB before its first render.
        manualChunks: (id) => {
          if (id.includes("node_modules/shaka-player")) return "shaka";
          // Rollup's CommonJS helpers get a chunk of their own: Shaka needs them, and a
          // watch page's boot script loads Shaka long before React.
          if (id.includes("commonjsHelpers")) return "cjs";
          if (/node_modules\/(react|react-dom|scheduler)\//.test(id)) return "vendor";
          return undefined;
        },
      },
    },
  },
});
