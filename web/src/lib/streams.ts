// What a device is streaming, in words, for the Devices page and the stream limit. The
// API leaves out the title when the asking profile may not see it (a kids profile looking
// at an adult's stream) and the profile when it was deleted: the words leave them out too.
import type { DeviceStreaming, StreamHolder } from "../api/client";
import type { Translate } from "../i18n";

/** "Streaming now: <title> (<profile>)", less what the API left out. */
export function streamingWords(streaming: Pick<DeviceStreaming, "title" | "profile">, t: Translate): string {
  const { title, profile } = streaming;
  if (title) return profile ? t("devices.streamingAs", { title, profile }) : t("devices.streaming", { title });
  return profile ? t("devices.streamingHiddenAs", { profile }) : t("devices.streamingHidden");
}

/** "<device> is playing <title> (<profile>)"; only the device's name without a title. */
export function holderWords(holder: Pick<StreamHolder, "title" | "profile">, device: string, t: Translate): string {
  const { title, profile } = holder;
  if (!title) return device;
  return profile ? t("streams.holderAs", { device, title, profile }) : t("streams.holder", { device, title });
}
