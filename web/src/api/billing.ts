// Billing: the viewer's plan and subscription, Checkout and the Billing Portal, invoices,
// and the admin's user plans and subscription figures.
//
// Hand-written until the generated schema has these endpoints: after `npm run gen-api`
// picks them up, these types give way to the generated ones (same names and fields) and
// the calls move to `api.GET/POST`.
import { request } from "./client";
import type { EntitlementsPublic, PlanPublic, ProfilePublic, Role } from "./client";

/** A subscription as Stripe (or an admin) last described it; dates are ISO strings. */
export interface SubscriptionPublic {
  /** Stripe's status: trialing, active, past_due, canceled, unpaid, incomplete, paused. */
  status: string;
  current_period_end: string | null;
  cancel_at_period_end: boolean;
  trial_end: string | null;
  past_due_since: string | null;
  /** While past due: when the paid entitlements end unless the payment succeeds. */
  grace_until: string | null;
}

export interface BillingPublic {
  /** Whether Stripe is configured; when not, only an admin changes plans. */
  enabled: boolean;
  /** The plan subscribed to (Free without a subscription). */
  plan: PlanPublic;
  /** What the account may do now, and why (its standing). */
  entitlements: EntitlementsPublic;
  subscription: SubscriptionPublic | null;
  /** Every plan, for the comparison table. */
  plans: PlanPublic[];
}

export interface CheckoutPublic {
  /** Stripe's page to go to (Checkout or the Billing Portal). */
  url: string;
}

export interface InvoicePublic {
  id: string;
  number: string | null;
  status: string | null;
  /** In the currency's smallest unit (cents). */
  amount_due: number;
  amount_paid: number;
  currency: string;
  /** Unix seconds. */
  created: number;
  hosted_invoice_url: string | null;
  invoice_pdf: string | null;
}

/** A profile in the list, with whether the plan lets it be picked now. */
export type ProfileListItem = ProfilePublic & {
  /** False when the account has more profiles than its plan allows (absent: true). */
  selectable?: boolean;
};

export interface AdminUserPublic {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  /** Slug of the plan subscribed to. */
  plan: string;
  /** The subscription's status, or null without one. */
  status: string | null;
}

export interface PlanSubscribers {
  slug: string;
  name: string;
  subscribers: number;
}

export interface Churn {
  /** The month measured, "YYYY-MM". */
  month: string;
  /** Canceled over paying subscribers at the month's start (0 to 1); null with none. */
  rate: number | null;
  canceled: number;
  at_start: number;
}

export interface BillingStats {
  plans: PlanSubscribers[];
  /** Monthly recurring revenue, in the currency's smallest unit. */
  mrr_cents: number;
  currency: string;
  churn: Churn;
}

export const getBilling = () => request<BillingPublic>("GET", "/api/v1/billing");

/** A Checkout Session for `plan`; answer 409 `billing_off` without Stripe. */
export const startCheckout = (plan: string) => request<CheckoutPublic>("POST", "/api/v1/billing/checkout", { plan });

export const openPortal = () => request<CheckoutPublic>("POST", "/api/v1/billing/portal");

/** Downgrade to Free: the subscription cancels at the end of the paid period. */
export const cancelSubscription = () => request<BillingPublic>("POST", "/api/v1/billing/cancel");

export const listInvoices = () => request<InvoicePublic[]>("GET", "/api/v1/billing/invoices");

export const listProfiles = () => request<ProfileListItem[]>("GET", "/api/v1/profiles");

export function adminUsers(q: string, limit = 50): Promise<AdminUserPublic[]> {
  const query = new URLSearchParams({ limit: String(limit) });
  if (q.trim()) query.set("q", q.trim());
  return request<AdminUserPublic[]>("GET", `/api/v1/admin/users?${query}`);
}

/** Set a user's plan by hand; only while billing is off (409 `billing_on` otherwise). */
export const setUserPlan = (userId: string, plan: string) =>
  request<unknown>("PUT", `/api/v1/admin/users/${encodeURIComponent(userId)}/plan`, { plan });

export const billingStats = () => request<BillingStats>("GET", "/api/v1/admin/billing/stats");
