// Artwork A/B tests (docs/artwork.md): pick a title, add images to it if you like
// (ArtworkUploads), start a test (its poster, the uploads and the transcoder's candidates
// are the variants), read each variant's take rate with a 95% credible interval and its
// probability of being best, and end the test with the best or a chosen variant, which
// becomes the title's poster for everyone.
import { useState } from "react";
import { api, errorMessage, unwrap } from "../../api/client";
import { endArtworkTest, listArtworkTests, startArtworkTest } from "../../api/artwork";
import type { ArtworkTestPublic } from "../../api/artwork";
import { useApi } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import { ErrorView, Loading } from "../Common/Status";
import { ArtworkUploads } from "./ArtworkUploads";

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const SOURCES: Record<string, "artwork.source.default" | "artwork.source.upload" | "artwork.source.candidate"> = {
  default: "artwork.source.default",
  upload: "artwork.source.upload",
  candidate: "artwork.source.candidate",
};

export function ArtworkPanel() {
  const { t } = useI18n();
  const tests = useApi(listArtworkTests, []);
  const titles = useApi(() => unwrap(api.GET("/api/v1/titles", { params: { query: { limit: 100 } } })), []);
  const [titleId, setTitleId] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const act = async (run: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await run();
      setError(null);
      tests.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const end = (test: ArtworkTestPublic, winnerId: string | null) => {
    if (!window.confirm(t("artwork.confirmEnd", { title: test.title_name }))) return;
    void act(() => endArtworkTest(test.id, winnerId));
  };

  return (
    <section className="panel" aria-labelledby="artwork-heading" data-testid="artwork-panel">
      <div className="panel__head">
        <h2 id="artwork-heading">{t("artwork.title")}</h2>
      </div>
      <p className="empty">{t("artwork.intro")}</p>
      <form
        className="artwork__start"
        onSubmit={(e) => {
          e.preventDefault();
          if (titleId) void act(() => startArtworkTest(titleId));
        }}
      >
        <label>
          {t("artwork.titleLabel")}{" "}
          <select value={titleId} onChange={(e) => setTitleId(e.target.value)} data-testid="artwork-title">
            <option value="">{t("artwork.pickTitle")}</option>
            {(titles.data ?? []).map((title) => (
              <option key={title.id} value={title.id}>{title.name}</option>
            ))}
          </select>
        </label>{" "}
        <button type="submit" className="btn btn--small btn--primary" disabled={busy || !titleId} data-testid="artwork-start">
          {t("artwork.start")}
        </button>
      </form>
      {error ? <p className="form-error" role="alert">{error}</p> : null}
      {titleId ? <ArtworkUploads titleId={titleId} /> : null}
      {tests.loading && !tests.data ? <Loading label={t("artwork.loading")} /> : null}
      {tests.error ? <ErrorView error={tests.error} onRetry={tests.reload} /> : null}
      {tests.data && !tests.data.length ? <p className="empty">{t("artwork.empty")}</p> : null}
      {(tests.data ?? []).map((test) => {
        const running = test.state === "running";
        return (
          <article key={test.id} className="artwork__test" data-testid="artwork-test" data-state={test.state}>
            <h3>
              {test.title_name}{" "}
              <span className="badge badge--outline">{t(running ? "artwork.running" : "artwork.ended")}</span>
            </h3>
            <div className="table-scroll">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">{t("artwork.variant")}</th>
                    <th scope="col">{t("artwork.impressions")}</th>
                    <th scope="col">{t("artwork.takes")}</th>
                    <th scope="col">{t("artwork.takeRate")}</th>
                    <th scope="col">{t("artwork.interval")}</th>
                    <th scope="col">{t("artwork.pBest")}</th>
                    {running ? <th scope="col"><span className="visually-hidden">{t("artwork.choose")}</span></th> : null}
                  </tr>
                </thead>
                <tbody>
                  {test.variants.map((v, n) => (
                    <tr key={v.id} data-testid="artwork-variant" data-variant-id={v.id}>
                      <td>
                        <img src={v.image_url} alt="" width={64} loading="lazy" /> {n + 1} ·{" "}
                        {t(SOURCES[v.source] ?? "artwork.source.candidate")}
                        {v.is_winner ? <strong> · {t("artwork.winner")}</strong> : null}
                        {running && v.id === test.leader_id ? <em> · {t("artwork.leader")}</em> : null}
                      </td>
                      <td>{v.impressions}</td>
                      <td>{v.takes}</td>
                      <td>{pct(v.take_rate)}</td>
                      <td>{pct(v.low)} – {pct(v.high)}</td>
                      <td>{pct(v.p_best)}</td>
                      {running ? (
                        <td>
                          <button type="button" className="btn btn--small" disabled={busy} onClick={() => end(test, v.id)}
                            aria-label={t("artwork.chooseThis", { title: test.title_name, n: String(n + 1) })}>
                            {t("artwork.choose")}
                          </button>
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {running ? (
              <button type="button" className="btn btn--small btn--primary" disabled={busy} onClick={() => end(test, null)} data-testid="artwork-end">
                {t("artwork.endBest")}
              </button>
            ) : null}
          </article>
        );
      })}
    </section>
  );
}
