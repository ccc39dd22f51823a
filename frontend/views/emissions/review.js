// 審査 (the administrator's review) on a report's page: once a report is verified, an
// administrator signed in with MFA accepts it, returns it for amends (with the reasons) or
// determines its emissions (whole t-CO2, with the reason); while the participant's approval
// cancellation request waits, grants or refuses it. The API records the signed-in
// administrator as the reviewer and gives every refusal (shown in its own words).

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { formField } from "../../ui.js";
import { userText } from "./shared.js";

const DECISIONS = ["accept", "return_for_amends", "determine"];

export function newReview() {
  return { decision: "accept", reason: "", t_co2: "", cancelReason: "" };
}

/** The body of POST /emissions/reports/{id}/review: t_co2 only to determine, as typed if it is not whole tonnes (the API refuses it). */
export function reviewBody(review) {
  const body = { decision: review.decision };
  const reason = review.reason.trim();
  if (reason) body.reason = reason;
  const tonnes = review.t_co2.trim();
  if (review.decision === "determine" && tonnes !== "") body.t_co2 = /^\d{1,12}$/.test(tonnes) ? Number(tonnes) : tonnes;
  return body;
}

function decisionChoice(screen, review) {
  return formField({
    label: t("review.decision"),
    control: h("select", { id: "review-decision", name: "review-decision", value: review.decision,
      onchange: (event) => { review.decision = event.target.value; screen.update(); } },
    DECISIONS.map((value) => h("option", { value }, t(`review.decision.${value}`)))),
  });
}

function reviewForm(screen, state, report, act) {
  const review = state.review;
  const sent = () => api.reviewReport(report.id, reviewBody(review));
  return h("form", { class: "stacked-form", id: "review-form", novalidate: true,
    onsubmit: (event) => { event.preventDefault(); act(screen, state, sent, `review.done.${review.decision}`); } },
  decisionChoice(screen, review),
  review.decision === "determine"
    ? formField({ label: t("review.t_co2"), hint: t("review.t_co2_hint"),
        control: h("input", { id: "review-t-co2", name: "review-t-co2", inputmode: "numeric", value: review.t_co2,
          oninput: (event) => { review.t_co2 = event.target.value; } }) })
    : null,
  formField({ label: t("review.reason"), optional: review.decision === "accept",
    control: h("textarea", { id: "review-reason", name: "review-reason", rows: "3", maxlength: "2000", value: review.reason,
      oninput: (event) => { review.reason = event.target.value; } }) }),
  h("button", { type: "submit", id: "review-submit", class: "primary", disabled: state.busy }, t(`review.submit.${review.decision}`)));
}

function cancellationForm(screen, state, report, act) {
  const review = state.review;
  const current = report.versions[report.versions.length - 1] || {};
  const request = current.cancellation || {};
  const decide = (decision) => act(screen, state, () => api.decideCancellation(report.id, { decision, reason: review.cancelReason }),
    `review.done.${decision}`);
  return h("form", { class: "stacked-form", id: "cancellation-decision", novalidate: true, onsubmit: (event) => event.preventDefault() },
    h("h3", { id: "cancellation-decision-title" }, t("review.cancellation_title")),
    h("p", { id: "cancellation-request" }, t("review.cancellation_requested", { by: request.requested_by || "" }), " ",
      request.reason ? userText(request.reason) : null),
    formField({ label: t("review.cancellation_reason"),
      control: h("textarea", { id: "cancellation-decision-reason", name: "cancellation-decision-reason", rows: "3", maxlength: "2000",
        value: review.cancelReason, oninput: (event) => { review.cancelReason = event.target.value; } }) }),
    h("div", { class: "actions" },
      h("button", { type: "button", id: "cancellation-grant", class: "primary", disabled: state.busy, onclick: () => decide("grant") },
        t("review.grant")),
      h("button", { type: "button", id: "cancellation-refuse", disabled: state.busy, onclick: () => decide("refuse") }, t("review.refuse"))));
}

/** The administrator's panel, or null when the report waits for nothing of theirs. */
export function reviewPanel(screen, state, report, act) {
  const reviewable = report.status === "verified" && !report.cancellation_pending;
  if (!reviewable && !report.cancellation_pending) return null;
  return h("section", { class: "report-actions report-review", id: "review-panel", "aria-labelledby": "review-title" },
    h("h2", { id: "review-title" }, t("review.title")),
    h("p", null, t(reviewable ? "review.intro" : "review.cancellation_intro")),
    reviewable ? reviewForm(screen, state, report, act) : cancellationForm(screen, state, report, act));
}
