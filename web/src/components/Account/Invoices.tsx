// The account's invoices, as Stripe keeps them: date, number, amount, status, and links
// to Stripe's invoice page and PDF.
import { listInvoices } from "../../api/billing";
import type { InvoicePublic } from "../../api/client";
import { useApi } from "../../hooks/useApi";
import { useI18n } from "../../i18n";
import type { Translate } from "../../i18n";
import type { MessageKey } from "../../i18n/en";
import { formatDay, formatMoney, toDate } from "../../lib/format";
import { ErrorView, Loading } from "../Common/Status";

const STATUS: Record<string, MessageKey> = {
  draft: "billing.invoice.draft",
  open: "billing.invoice.open",
  paid: "billing.invoice.paid",
  void: "billing.invoice.void",
  uncollectible: "billing.invoice.uncollectible",
};

function statusLabel(status: string | null, t: Translate): string {
  if (!status) return "";
  const key = STATUS[status];
  return key ? t(key) : status;
}

export function Invoices() {
  const { t, lang } = useI18n();
  const invoices = useApi(listInvoices, []);
  const amount = (inv: InvoicePublic) => formatMoney(inv.status === "paid" ? inv.amount_paid : inv.amount_due, inv.currency, lang);
  return (
    <section className="panel" aria-labelledby="acct-invoices" data-testid="invoices">
      <h2 id="acct-invoices">{t("billing.invoices")}</h2>
      {invoices.loading && !invoices.data ? <Loading /> : null}
      {invoices.error ? <ErrorView error={invoices.error} onRetry={invoices.reload} /> : null}
      {invoices.data && invoices.data.length === 0 ? <p className="empty">{t("billing.noInvoices")}</p> : null}
      {invoices.data && invoices.data.length > 0 ? (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">{t("billing.invoiceDate")}</th>
                <th scope="col">{t("billing.invoiceNumber")}</th>
                <th scope="col">{t("billing.invoiceAmount")}</th>
                <th scope="col">{t("billing.invoiceStatus")}</th>
                <th scope="col">
                  <span className="visually-hidden">{t("billing.invoiceLinks")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {invoices.data.map((inv) => {
                const created = toDate(inv.created);
                const number = inv.number ?? inv.id;
                return (
                  <tr key={inv.id} data-testid="invoice">
                    <td>{created ? formatDay(created, lang) : ""}</td>
                    <td>{number}</td>
                    <td>{amount(inv)}</td>
                    <td>{statusLabel(inv.status, t)}</td>
                    <td className="data-table__links">
                      {inv.hosted_invoice_url ? (
                        <a href={inv.hosted_invoice_url} target="_blank" rel="noopener noreferrer" aria-label={t("billing.invoiceViewLabel", { number })}>
                          {t("billing.invoiceView")}
                        </a>
                      ) : null}
                      {inv.invoice_pdf ? (
                        <a href={inv.invoice_pdf} target="_blank" rel="noopener noreferrer" aria-label={t("billing.invoicePdfLabel", { number })}>
                          {t("billing.invoicePdf")}
                        </a>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
