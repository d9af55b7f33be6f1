// Build-time settings the app reads (Vite exposes VITE_* variables to the bundle).
interface ImportMetaEnv {
  /** Google Cast receiver app id; unset means Google's Default Media Receiver. */
  readonly VITE_CAST_RECEIVER_APP_ID?: string;
  /** "1" only in the build the browser tests make: exposes their probes (watch together's
   * `window.__kinemaParty`). Production builds leave it unset. */
  readonly VITE_KINEMA_TEST_HOOKS?: string;
}
