import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import { App } from "./App";
import { I18nProvider } from "./i18n";
import { AuthProvider } from "./hooks/useAuth";
import { startWatchPrefetch } from "./lib/watchPrefetch";
import { registerServiceWorker } from "./lib/serviceWorker";
import "./styles/global.css";
import "./styles/account.css";

// Before React renders: a watch page's player code and playback info start loading now.
startWatchPrefetch(window.location.pathname, window.location.search);
registerServiceWorker(window.location.pathname);

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <I18nProvider>
      <BrowserRouter>
        <AuthProvider>
          <App />
        </AuthProvider>
      </BrowserRouter>
    </I18nProvider>
  </StrictMode>,
);
