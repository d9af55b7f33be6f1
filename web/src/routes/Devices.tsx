// Devices: every browser and app signed in to the account, what each is streaming, and
// rename, stop playback and sign out (the same list the Account page shows). A kids
// profile cannot manage the account, so it is told to switch profile instead.
import { DeviceList } from "../components/Devices/DeviceList";
import { useAuth } from "../hooks/useAuth";
import { usePageTitle } from "../hooks/usePageTitle";
import { useI18n } from "../i18n";

export function DevicesPage() {
  const { t } = useI18n();
  const { isKids } = useAuth();
  usePageTitle(t("account.devices"));
  if (isKids) {
    return (
      <div className="page">
        <p className="panel account__kids-note" data-testid="kids-note">
          {t("account.kidsNote")}
        </p>
      </div>
    );
  }
  return (
    <div className="page devices-page">
      <DeviceList headingLevel={1} />
    </div>
  );
}
