// Sign in and sign up: a full-bleed backdrop with one centred form, as streaming
// services do. After success the viewer goes to the profile picker, then back to where
// they were heading (`?next=`).
import { useState } from "react";
import type { FormEvent } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router-dom";
import { errorMessage } from "../api/client";
import { LanguageSelect, Logo } from "../components/Layout/AppShell";
import { useAuth } from "../hooks/useAuth";
import { usePageTitle } from "../hooks/usePageTitle";
import { useI18n } from "../i18n";

function safeNext(raw: string | null): string {
  // Only same-site paths: an open redirect through ?next= would be a phishing aid.
  return raw && raw.startsWith("/") && !raw.startsWith("//") ? raw : "/";
}

function AuthForm({ mode }: { mode: "login" | "signup" }) {
  const { t } = useI18n();
  const { user, login, signup } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  usePageTitle(mode === "login" ? t("auth.loginTitle") : t("auth.signupTitle"));
  if (user && !busy) return <Navigate to={`/profiles?next=${encodeURIComponent(next)}`} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === "login") await login(email, password);
      else await signup(email, password, displayName);
      navigate(`/profiles?next=${encodeURIComponent(next)}`, { replace: true });
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <div className="auth">
      <header className="auth__header">
        <Logo />
        <LanguageSelect id="auth-lang" />
      </header>
      <main id="main" className="auth__main">
        <form className="auth__card" onSubmit={(e) => void submit(e)} noValidate={false}>
          <h1>{mode === "login" ? t("auth.loginTitle") : t("auth.signupTitle")}</h1>
          <p className="auth__tagline">{t("auth.tagline")}</p>
          {error ? (
            <p className="form-error" role="alert">
              {error}
            </p>
          ) : null}
          {mode === "signup" ? (
            <div className="field">
              <label htmlFor="display-name">{t("auth.displayName")}</label>
              <input id="display-name" value={displayName} onChange={(e) => setDisplayName(e.currentTarget.value)} autoComplete="name" />
            </div>
          ) : null}
          <div className="field">
            <label htmlFor="email">{t("auth.email")}</label>
            <input id="email" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} autoComplete="email" />
          </div>
          <div className="field">
            <label htmlFor="password">{t("auth.password")}</label>
            <input
              id="password"
              type="password"
              required
              minLength={mode === "signup" ? 8 : undefined}
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              autoComplete={mode === "login" ? "current-password" : "new-password"}
            />
          </div>
          <button type="submit" className="btn btn--primary btn--block" disabled={busy}>
            {busy ? t("auth.working") : mode === "login" ? t("auth.login") : t("auth.signup")}
          </button>
          <p className="auth__switch">
            {mode === "login" ? (
              <>
                {t("auth.noAccount")} <Link to={`/signup${params.toString() ? `?${params}` : ""}`}>{t("auth.signup")}</Link>
              </>
            ) : (
              <>
                {t("auth.haveAccount")} <Link to={`/login${params.toString() ? `?${params}` : ""}`}>{t("auth.login")}</Link>
              </>
            )}
          </p>
        </form>
      </main>
    </div>
  );
}

export function LoginPage() {
  return <AuthForm mode="login" />;
}

export function SignupPage() {
  return <AuthForm mode="signup" />;
}
