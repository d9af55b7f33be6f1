// The frame around every signed-in page: a skip link, the header (logo, main
// navigation, search, language, profile menu), the page, a footer, and a notice of any
// downloads the online check deleted.
import { useEffect, useState } from "react";
import type { FormEvent, ReactNode } from "react";
import { Link, NavLink, useLocation, useNavigate, useSearchParams } from "react-router-dom";
import { Icon } from "../Icons/Icons";
import { LANGUAGES, useI18n } from "../../i18n";
import type { Language } from "../../i18n";
import { useAuth } from "../../hooks/useAuth";
import { DownloadNotices } from "../Downloads/DownloadNotices";

export function Logo() {
  return (
    <span className="logo" aria-hidden="true">
      KINEMA
    </span>
  );
}

export function LanguageSelect({ id = "lang" }: { id?: string }) {
  const { lang, setLang, t } = useI18n();
  return (
    <label className="lang-select" htmlFor={id}>
      <span className="visually-hidden">{t("nav.language")}</span>
      <select id={id} value={lang} onChange={(e) => setLang(e.currentTarget.value as Language)}>
        {Object.entries(LANGUAGES).map(([code, name]) => (
          <option key={code} value={code}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

function SearchBox() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const [q, setQ] = useState(location.pathname === "/search" ? (params.get("q") ?? "") : "");
  useEffect(() => {
    if (location.pathname === "/search") setQ(params.get("q") ?? "");
  }, [location.pathname, params]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = new URLSearchParams(location.pathname === "/search" ? params : undefined);
    if (q.trim()) next.set("q", q.trim());
    else next.delete("q");
    navigate(`/search?${next.toString()}`);
  };
  return (
    <form className="searchbox" role="search" onSubmit={submit}>
      <label htmlFor="site-search" className="visually-hidden">
        {t("search.label")}
      </label>
      <Icon name="search" size={20} />
      <input
        id="site-search"
        type="search"
        value={q}
        placeholder={t("search.placeholder")}
        onChange={(e) => setQ(e.currentTarget.value)}
        autoComplete="off"
      />
    </form>
  );
}

function ProfileMenu() {
  const { user, logout, isKids } = useAuth();
  const { t } = useI18n();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const location = useLocation();
  useEffect(() => setOpen(false), [location.pathname]);
  if (!user) return null;
  const initial = (user.profile.name || user.display_name || user.email).slice(0, 1).toUpperCase();
  return (
    <div className="profile-menu">
      <button
        type="button"
        className="profile-menu__button"
        aria-expanded={open}
        aria-controls="profile-menu-panel"
        onClick={() => setOpen((v) => !v)}
        onKeyDown={(e) => {
          if (e.key === "Escape") setOpen(false);
        }}
      >
        <span className="avatar" aria-hidden="true">
          {initial}
        </span>
        <span className="visually-hidden">{user.profile.name}</span>
      </button>
      <ul id="profile-menu-panel" className="profile-menu__panel" hidden={!open}>
        <li className="profile-menu__who">
          {user.profile.name} · {user.email}
        </li>
        <li>
          <Link to="/profiles">{t("nav.profiles")}</Link>
        </li>
        <li>
          <Link to="/account">{t("nav.account")}</Link>
        </li>
        {isKids ? null : (
          <li>
            <Link to="/clips">{t("nav.clips")}</Link>
          </li>
        )}
        {isKids ? null : (
          <li>
            <Link to="/devices">{t("nav.devices")}</Link>
          </li>
        )}
        {user.role === "admin" && !isKids ? (
          <li>
            <Link to="/admin">{t("nav.admin")}</Link>
          </li>
        ) : null}
        <li>
          <button
            type="button"
            onClick={() => {
              void logout().finally(() => navigate("/login"));
            }}
          >
            {t("nav.logout")}
          </button>
        </li>
      </ul>
    </div>
  );
}

export function AppShell({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { user, isKids } = useAuth();
  const [scrolled, setScrolled] = useState(false);
  useEffect(() => {
    const onScroll = () => setScrolled(window.scrollY > 8);
    onScroll();
    window.addEventListener("scroll", onScroll, { passive: true });
    return () => window.removeEventListener("scroll", onScroll);
  }, []);
  return (
    <>
      <a className="skip-link" href="#main">
        {t("app.skipToContent")}
      </a>
      <header className={`site-header${scrolled ? " site-header--solid" : ""}`}>
        <Link to="/" className="site-header__logo" aria-label={`${t("app.name")} – ${t("nav.home")}`}>
          <Logo />
        </Link>
        <nav aria-label={t("nav.main")} className="site-nav">
          <NavLink to="/" end>
            {t("nav.home")}
          </NavLink>
          <NavLink to="/my-list">{t("nav.myList")}</NavLink>
          <NavLink to="/search">{t("nav.search")}</NavLink>
          {user?.entitlements.downloads ? <NavLink to="/downloads">{t("nav.downloads")}</NavLink> : null}
          {/* A kids profile never sees the admin link (the API refuses it admin routes too). */}
          {user?.role === "admin" && !isKids ? <NavLink to="/admin">{t("nav.admin")}</NavLink> : null}
        </nav>
        <div className="site-header__tools">
          <SearchBox />
          <LanguageSelect id="header-lang" />
          <ProfileMenu />
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <DownloadNotices />
      <footer className="site-footer">
        <p>
          {t("app.name")} · {t("auth.tagline")}
        </p>
      </footer>
    </>
  );
}
