// Billing: the viewer's plan and subscription, Checkout and the Billing Portal, invoices,
// and the admin's user plans and subscription figures. Calls through the typed client;
// the types are the generated ones (`BillingPublic`, `InvoicePublic`, `AdminUserPublic`,
// `BillingStatsPublic`, ...), imported from `./client` like every other API type.
import { api, unwrap } from "./client";

export const getBilling = () => unwrap(api.GET("/api/v1/billing"));

/** A Checkout Session for `plan`; answers 409 `billing_off` without Stripe. */
export const startCheckout = (plan: string) => unwrap(api.POST("/api/v1/billing/checkout", { body: { plan } }));

export const openPortal = () => unwrap(api.POST("/api/v1/billing/portal"));

/** Downgrade to Free: the subscription cancels at the end of the paid period. */
export const cancelSubscription = () => unwrap(api.POST("/api/v1/billing/cancel"));

export const listInvoices = () => unwrap(api.GET("/api/v1/billing/invoices"));

export function adminUsers(q: string, limit = 50) {
  const search = q.trim();
  return unwrap(api.GET("/api/v1/admin/users", { params: { query: search ? { q: search, limit } : { limit } } }));
}

/** Set a user's plan by hand; only while billing is off (409 `billing_on` otherwise).
 *  Answers the user as the admin list shows it (plan, subscription status, standing). */
export const setUserPlan = (userId: string, plan: string) =>
  unwrap(api.PUT("/api/v1/admin/users/{user_id}/plan", { params: { path: { user_id: userId } }, body: { plan } }));

export const billingStats = () => unwrap(api.GET("/api/v1/admin/billing/stats"));
