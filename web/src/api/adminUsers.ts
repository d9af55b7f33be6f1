// Admin: one user (plan, subscription, signed-in devices), and disabling or enabling the
// account. The API refuses both to anyone but an admin.
import { api, unwrap } from "./client";
import type { components } from "./schema";

export type AdminUserDetail = components["schemas"]["AdminUserDetail"];
export type AdminDevice = components["schemas"]["AdminDevice"];

export const adminUser = (userId: string) =>
  unwrap(api.GET("/api/v1/admin/users/{user_id}", { params: { path: { user_id: userId } } }));

/** Disabling signs the account out on every device; enabling lets it sign in again. */
export const setUserActive = (userId: string, active: boolean) =>
  unwrap(api.PUT("/api/v1/admin/users/{user_id}/active", { params: { path: { user_id: userId } }, body: { active } }));
