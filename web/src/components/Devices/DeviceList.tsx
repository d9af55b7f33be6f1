// The devices signed in to the account: name, last seen, what each is streaming now
// (with Stop playback), this device marked; any one can be renamed, and any other one
// signed out after a confirmation (its next request is refused).
import { useState } from "react";
import type { FormEvent } from "react";
import { errorMessage } from "../../api/client";
import type { DevicePublic } from "../../api/client";
import { listDevices, renameDevice, signOutDevice, stopPlaybackOn } from "../../api/devices";
import { revokeDeviceDownloads } from "../../api/downloads";
import { useAuth } from "../../hooks/useAuth";
import { useApi } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import { formatDateTime, toDate } from "../../lib/format";
import { streamingWords } from "../../lib/streams";
import { ConfirmDialog } from "../Common/ConfirmDialog";
import { ErrorView, Loading } from "../Common/Status";

export function DeviceList({ headingLevel = 2 }: { headingLevel?: 1 | 2 }) {
  const { t } = useI18n();
  const { user } = useAuth();
  const devices = useApi(listDevices, []);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [leaving, setLeaving] = useState<DevicePublic | null>(null);
  const Heading = headingLevel === 1 ? "h1" : "h2";
  const label = (d: DevicePublic) => d.name || t("devices.unnamed");

  const act = async (work: () => Promise<unknown>, done?: string) => {
    try {
      await work();
      setMessage(done ? { ok: true, text: done } : null);
      devices.reload();
    } catch (err) {
      setMessage({ ok: false, text: errorMessage(err) });
    }
  };

  return (
    <section className="panel" aria-labelledby="devices-heading" data-testid="devices">
      <Heading id="devices-heading" className={headingLevel === 1 ? "page__title" : undefined}>
        {t("account.devices")}
      </Heading>
      {message ? (
        <p className={message.ok ? "form-ok" : "form-error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      ) : null}
      {devices.loading && !devices.data ? <Loading /> : null}
      {devices.error ? <ErrorView error={devices.error} onRetry={devices.reload} /> : null}
      {devices.data && devices.data.length === 0 ? <p className="empty">{t("devices.empty")}</p> : null}
      <ul className="devices">
        {devices.data?.map((d) => (
          <li key={d.id} className="devices__item" data-testid="device" data-current={d.current ? "true" : "false"}>
            {renaming === d.id ? (
              <RenameForm
                device={d}
                onCancel={() => setRenaming(null)}
                onSave={async (name) => {
                  await act(() => renameDevice(d.id, name));
                  setRenaming(null);
                }}
              />
            ) : (
              <DeviceRow
                device={d}
                label={label(d)}
                onRename={() => setRenaming(d.id)}
                onSignOut={() => setLeaving(d)}
                onStop={() => void act(() => stopPlaybackOn(d.id), t("devices.stopped", { name: label(d) }))}
                onRemoveDownloads={
                  user?.entitlements.downloads && !d.current
                    ? () =>
                        void (async () => {
                          try {
                            const { revoked } = await revokeDeviceDownloads(d.id);
                            setMessage({ ok: true, text: t("devices.downloadsRemoved", { name: label(d), n: revoked }) });
                          } catch (err) {
                            setMessage({ ok: false, text: errorMessage(err) });
                          }
                        })()
                    : undefined
                }
              />
            )}
          </li>
        ))}
      </ul>
      {leaving ? (
        <ConfirmDialog
          title={t("devices.signOutTitle", { name: label(leaving) })}
          confirmLabel={t("devices.signOut")}
          cancelLabel={t("devices.cancel")}
          danger
          onConfirm={async () => {
            await signOutDevice(leaving.id);
            setMessage({ ok: true, text: t("devices.signedOut", { name: label(leaving) }) });
            devices.reload();
          }}
          onClose={() => setLeaving(null)}
        >
          <p>{t("devices.signOutBody", { name: label(leaving) })}</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

function DeviceRow({
  device: d,
  label,
  onRename,
  onSignOut,
  onStop,
  onRemoveDownloads,
}: {
  device: DevicePublic;
  label: string;
  onRename: () => void;
  onSignOut: () => void;
  onStop: () => void;
  /** Revoke every download the device holds (its copies go at its next online check). */
  onRemoveDownloads?: () => void;
}) {
  const { t, lang } = useI18n();
  const seen = toDate(d.last_seen_at);
  return (
    <>
      <div className="devices__info">
        <p className="devices__name">
          <strong>{label}</strong>
          {d.current ? <span className="badge devices__current">{t("account.thisDevice")}</span> : null}
        </p>
        <p className="devices__meta">
          {seen ? t("devices.lastSeen", { when: formatDateTime(seen, lang) }) : null}
          {d.user_agent ? (
            <>
              {" · "}
              <span className="devices__agent" title={d.user_agent}>
                {d.user_agent}
              </span>
            </>
          ) : null}
        </p>
        {d.streaming ? (
          <p className="devices__streaming" data-testid="device-streaming">
            {streamingWords(d.streaming, t)}
          </p>
        ) : null}
      </div>
      <div className="devices__actions">
        {d.streaming && !d.current ? (
          <button type="button" className="btn btn--small" onClick={onStop} aria-label={t("streams.stopOn", { device: label })}>
            {t("devices.stopPlayback")}
          </button>
        ) : null}
        {onRemoveDownloads ? (
          <button type="button" className="btn btn--small" onClick={onRemoveDownloads} aria-label={t("devices.removeDownloadsLabel", { name: label })}>
            {t("devices.removeDownloads")}
          </button>
        ) : null}
        <button type="button" className="btn btn--small" onClick={onRename} aria-label={t("devices.renameLabel", { name: label })}>
          {t("devices.rename")}
        </button>
        {d.current ? null : (
          <button type="button" className="btn btn--small" onClick={onSignOut} aria-label={t("devices.signOutLabel", { name: label })}>
            {t("devices.signOut")}
          </button>
        )}
      </div>
    </>
  );
}

function RenameForm({ device, onSave, onCancel }: { device: DevicePublic; onSave: (name: string) => Promise<void>; onCancel: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState(device.name);
  const [busy, setBusy] = useState(false);
  const inputId = `device-name-${device.id}`;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    await onSave(name.trim());
    setBusy(false);
  };
  return (
    <form className="devices__rename" onSubmit={(e) => void submit(e)}>
      <div className="field">
        <label htmlFor={inputId}>{t("devices.nameLabel")}</label>
        <input id={inputId} required maxLength={80} value={name} onChange={(e) => setName(e.currentTarget.value)} autoFocus />
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn--primary btn--small" disabled={busy || !name.trim()}>
          {t("devices.save")}
        </button>
        <button type="button" className="btn btn--small" onClick={onCancel}>
          {t("devices.cancel")}
        </button>
      </div>
    </form>
  );
}
