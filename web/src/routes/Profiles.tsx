// "Who's watching?": choose the profile this session watches as, or add one.
import { useState } from "react";
import type { FormEvent } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { api, errorMessage, unwrap } from "../api/client";
import { ErrorView, Loading } from "../components/Common/Status";
import { Icon } from "../components/Icons/Icons";
import { LanguageSelect, Logo } from "../components/Layout/AppShell";
import { useApi } from "../hooks/useApi";
import { useAuth } from "../hooks/useAuth";
import { usePageTitle } from "../hooks/usePageTitle";
import { useI18n } from "../i18n";

const COLORS = ["#e50914", "#2f80ed", "#27ae60", "#f2994a", "#9b51e0", "#eb5757"];

export function ProfilesPage() {
  const { t } = useI18n();
  const { chooseProfile } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = params.get("next");
  const target = next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/profiles") ? next : "/";
  const profiles = useApi(() => unwrap(api.GET("/api/v1/profiles")), []);
  const [adding, setAdding] = useState(false);
  const [name, setName] = useState("");
  const [kids, setKids] = useState(false);
  const [error, setError] = useState<string | null>(null);
  usePageTitle(t("profiles.title"));

  const pick = async (id: string) => {
    try {
      await chooseProfile(id);
      navigate(target, { replace: true });
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const create = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await unwrap(api.POST("/api/v1/profiles", { body: { name, is_kids: kids } }));
      setAdding(false);
      setName("");
      setKids(false);
      profiles.reload();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  return (
    <div className="profiles">
      <header className="auth__header">
        <Logo />
        <LanguageSelect id="profiles-lang" />
      </header>
      <main id="main" className="profiles__main">
        <h1>{t("profiles.title")}</h1>
        {error ? <p className="form-error" role="alert">{error}</p> : null}
        {profiles.loading ? <Loading /> : null}
        {profiles.error ? <ErrorView error={profiles.error} onRetry={profiles.reload} /> : null}
        <ul className="profiles__list">
          {profiles.data?.map((p, i) => (
            <li key={p.id}>
              <button type="button" className="profile-tile" onClick={() => void pick(p.id)} data-testid="profile-tile">
                <span className="profile-tile__avatar" style={{ background: COLORS[i % COLORS.length] }} aria-hidden="true">
                  {p.name.slice(0, 1).toUpperCase()}
                </span>
                <span className="profile-tile__name">{p.name}</span>
                {p.is_kids ? <span className="badge">{t("profiles.kids")}</span> : null}
              </button>
            </li>
          ))}
          {profiles.data ? (
            <li>
              <button type="button" className="profile-tile profile-tile--add" onClick={() => setAdding(true)} aria-expanded={adding}>
                <span className="profile-tile__avatar" aria-hidden="true">
                  <Icon name="plus" size={56} />
                </span>
                <span className="profile-tile__name">{t("profiles.add")}</span>
              </button>
            </li>
          ) : null}
        </ul>
        {adding ? (
          <form className="profiles__form" onSubmit={(e) => void create(e)}>
            <div className="field">
              <label htmlFor="profile-name">{t("profiles.name")}</label>
              <input id="profile-name" required maxLength={60} value={name} onChange={(e) => setName(e.currentTarget.value)} autoFocus />
            </div>
            <label className="checkbox">
              <input type="checkbox" checked={kids} onChange={(e) => setKids(e.currentTarget.checked)} /> {t("profiles.kids")}
            </label>
            <div className="form-actions">
              <button type="submit" className="btn btn--primary">{t("profiles.create")}</button>
              <button type="button" className="btn" onClick={() => setAdding(false)}>{t("profiles.cancel")}</button>
            </div>
          </form>
        ) : null}
      </main>
    </div>
  );
}
