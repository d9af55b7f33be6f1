// The account's plan state in words ("Trial ends 9 Dec", "Renews 2 Jan", "Payment
// failed — update your card by 5 Dec", "Cancels on 2 Jan", "Free plan"), from the
// entitlements' standing and the date it changes by itself. The server decides the
// standing (kinema/entitlements.py); this only words it. Pure, so every standing is
// tested with fixed dates.
import type { Standing, SubscriptionStatePublic } from "../api/client";
import type { Translate } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { formatDay, toDate } from "./format";

export interface StateWords {
  key: MessageKey;
  /** The date the words name, when they name one. */
  date: Date | null;
}

// Each standing's words with a date, and without one (an admin-set plan has no end).
const WORDS: Record<Standing, { dated: MessageKey; open: MessageKey }> = {
  free: { dated: "billing.state.free", open: "billing.state.free" },
  trialing: { dated: "billing.state.trialing", open: "billing.state.trialingOpen" },
  active: { dated: "billing.state.active", open: "billing.state.activeOpen" },
  canceling: { dated: "billing.state.canceling", open: "billing.state.cancelingOpen" },
  past_due: { dated: "billing.state.pastDue", open: "billing.state.pastDueOpen" },
  lapsed: { dated: "billing.state.lapsed", open: "billing.state.lapsed" },
  canceled: { dated: "billing.state.canceled", open: "billing.state.canceledOpen" },
  ended: { dated: "billing.state.ended", open: "billing.state.ended" },
};

/** Which words and which date describe `standing` (`until`: when it changes by itself). */
export function planStateWords(
  standing: Standing,
  until: string | null,
  subscription?: Pick<SubscriptionStatePublic, "grace_until" | "trial_end" | "current_period_end"> | null,
): StateWords {
  const words = WORDS[standing];
  let date = toDate(until);
  // The entitlements' `until` is the one to trust; the subscription fills a gap.
  if (!date && subscription) {
    if (standing === "past_due") date = toDate(subscription.grace_until);
    else if (standing === "trialing") date = toDate(subscription.trial_end ?? subscription.current_period_end);
    else if (standing === "active" || standing === "canceling" || standing === "canceled")
      date = toDate(subscription.current_period_end);
  }
  if (words.dated === words.open) return { key: words.dated, date: null };
  return date ? { key: words.dated, date } : { key: words.open, date: null };
}

/** The plan state as the viewer reads it, in the UI language. */
export function describePlanState(
  standing: Standing,
  until: string | null,
  subscription: Pick<SubscriptionStatePublic, "grace_until" | "trial_end" | "current_period_end"> | null,
  t: Translate,
  lang: string,
  now: Date = new Date(),
): string {
  const { key, date } = planStateWords(standing, until, subscription);
  return t(key, date ? { date: formatDay(date, lang, now) } : undefined);
}

/** A Stripe subscription is still live (a Checkout would make a second one): plan
 *  changes and card updates go through the Billing Portal instead. */
export function hasLiveSubscription(standing: Standing): boolean {
  return standing === "trialing" || standing === "active" || standing === "canceling" || standing === "past_due" || standing === "lapsed";
}

/** "Downgrade to Free" still means something: a live subscription not yet set to end. */
export function canDowngrade(standing: Standing): boolean {
  return hasLiveSubscription(standing) && standing !== "canceling";
}
