// Who is signed in. The session lives in an httpOnly cookie, so the app learns the user
// by asking `/auth/me`; a 401 simply means "signed out".
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { ReactNode } from "react";
import { api, ApiError, unwrap } from "../api/client";
import type { UserPublic } from "../api/client";
import { deviceId } from "../lib/deviceId";
import { PROFILE_CHOSEN_KEY } from "../lib/profileChoice";

interface AuthValue {
  user: UserPublic | null;
  loading: boolean;
  /** Whether the viewer picked a profile in this browser session (the picker shows first). */
  profileChosen: boolean;
  login: (email: string, password: string) => Promise<void>;
  signup: (email: string, password: string, displayName: string) => Promise<void>;
  logout: () => Promise<void>;
  refresh: () => Promise<void>;
  /** Watch as this profile; `pin` for a locked one (sent in the request body only). */
  chooseProfile: (profileId: string, pin?: string) => Promise<void>;
  /** The session watches as a kids profile: account management is off limits. */
  isKids: boolean;
}

const AuthContext = createContext<AuthValue | null>(null);
const CHOSEN_KEY = PROFILE_CHOSEN_KEY;
const store = window.localStorage;

/** What sign-in and sign-up send about this browser: its stable id; the name is left
 *  empty, for the server to derive from the User-Agent ("Chrome on Linux"). */
function deviceFields(): { device_id: string; device_name: string } {
  return { device_id: deviceId(), device_name: "" };
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<UserPublic | null>(null);
  const [loading, setLoading] = useState(true);
  const [profileChosen, setProfileChosen] = useState(() => store.getItem(CHOSEN_KEY) === "1");

  const refresh = useCallback(async () => {
    try {
      setUser(await unwrap(api.GET("/api/v1/auth/me")));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setUser(null);
      else throw err;
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    refresh().catch(() => setLoading(false));
  }, [refresh]);

  const markChosen = useCallback((chosen: boolean) => {
    setProfileChosen(chosen);
    if (chosen) store.setItem(CHOSEN_KEY, "1");
    else store.removeItem(CHOSEN_KEY);
  }, []);

  const value = useMemo<AuthValue>(
    () => ({
      user,
      loading,
      profileChosen,
      login: async (email, password) => {
        // A variable, not a literal: device_id is newer than the generated schema.
        const body = { email, password, ...deviceFields() };
        const token = await unwrap(api.POST("/api/v1/auth/login", { body }));
        markChosen(false);
        setUser(token.user);
      },
      signup: async (email, password, displayName) => {
        const body = { email, password, display_name: displayName, ...deviceFields() };
        const token = await unwrap(api.POST("/api/v1/auth/signup", { body }));
        markChosen(false);
        setUser(token.user);
      },
      logout: async () => {
        try {
          await unwrap(api.POST("/api/v1/auth/logout"));
        } finally {
          markChosen(false);
          setUser(null);
        }
      },
      refresh,
      chooseProfile: async (profileId, pin) => {
        await unwrap(
          api.POST("/api/v1/profiles/{profile_id}/select", {
            params: { path: { profile_id: profileId } },
            body: pin === undefined ? undefined : { pin },
          }),
        );
        markChosen(true);
        await refresh();
      },
      isKids: user?.profile.is_kids ?? false,
    }),
    [user, loading, profileChosen, refresh, markChosen],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth must be used inside <AuthProvider>");
  return value;
}
