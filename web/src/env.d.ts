// Build-time settings the app reads (Vite exposes VITE_* variables to the bundle).
interface ImportMetaEnv {
  /** Google Cast receiver app id; unset means Google's Default Media Receiver. */
  readonly VITE_CAST_RECEIVER_APP_ID?: string;
}
