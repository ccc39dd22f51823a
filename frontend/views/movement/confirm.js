// Step 2, confirm: exactly what will be sent (with the receiver's company name from
// GET /accounts/{n}/holder), then POST /transfers or /retirements.
//
// Sending exactly once: one Idempotency-Key (crypto.randomUUID) is made when the confirm
// page is shown and is sent with every attempt of that request; the button is disabled
// while sending. A retry after a network failure or a 5xx sends the same key, so the API
// replays the transaction instead of moving units twice. Going back to edit and confirming
// an unchanged request keeps the key too; a definitive refusal (4xx) drops it.

import { api, newIdempotencyKey } from "../../api.js";
import { h } from "../../dom.js";
import { fmtAmount, fmtNumber, getLang, t } from "../../i18n.js";
import { dataTable, errorBody, errorText, pageHeading, summaryList } from "../../ui.js";
import { dealNotice, holderName, LINE_FIELDS, marketNotice } from "./shared.js";

// --- entering the step --------------------------------------------------------------------------

/** Show the confirm page for this body, keeping the key if the body is the one it was made for. */
export function showConfirm(screen, state, body) {
  state.body = body;
  const text = JSON.stringify(body);
  // One key per request: made when the confirm page is first shown for this content.
  if (state.key === null || state.keyBody !== text) {
    state.key = newIdempotencyKey();
    state.keyBody = text;
  }
  state.sendError = null;
  state.step = "confirm";
  if (screen.transfer) lookUpReceiver(screen, state, body.to_account);
  screen.update({ focus: "page-title" });
}

// The receiver's company name, as the registry's confirmation screen shows it.
function lookUpReceiver(screen, state, number) {
  state.receiver = { number, pending: true };
  api.holder(number).then(
    (holder) => {
      if (state.receiver?.number !== number) return;
      state.receiver = { number, holder };
      screen.update();
    },
    (error) => {
      if (state.receiver?.number !== number) return;
      state.receiver = { number, error };
      screen.update();
    },
  );
}

// --- a refusal that names a field goes back to the input ------------------------------------------

/** The field an API error names, as the input page shows it (null if it has no such field). */
export function knownField(screen, state, field) {
  if (!field) return null;
  if (field === screen.accountField || field === "lines") return field;
  if (screen.transfer && field === "to_account") return field;
  if (!screen.transfer && field === "compliance_period") return field;
  const match = /^lines\.(\d+)(?:\.(\w+))?$/.exec(field);
  if (!match || Number(match[1]) >= state.lines.length) return null;
  return match[2] && LINE_FIELDS.includes(match[2]) ? field : "lines";
}

/** {field: error} for the input page, or null when the error names none of its fields. */
export function fieldErrors(screen, state, error) {
  const errors = {};
  const fields = error.code === "VALIDATION_ERROR" && error.details.length ? error.details.map((detail) => detail.field) : [error.field];
  for (const field of fields) {
    const known = knownField(screen, state, field);
    if (known) errors[known] = error;
  }
  return Object.keys(errors).length ? errors : null;
}

// --- actions -----------------------------------------------------------------------------------

async function execute(screen, state, event) {
  if (state.sending) return;
  state.sending = true;
  if (event?.currentTarget) event.currentTarget.disabled = true;
  if (state.key === null) {
    state.key = newIdempotencyKey();
    state.keyBody = JSON.stringify(state.body);
  }
  state.sendError = null;
  screen.update();
  try {
    const response = await (screen.transfer ? api.transfer : api.retire)(state.body, state.key);
    state.result = response.transaction || null;
    state.held = response.delayed_transfer || null;  // 202: held, the receiver is not trusted
    state.step = "done";
    state.key = null;
    state.keyBody = null;
    state.sending = false;
    screen.update({ focus: "page-title" });
  } catch (error) {
    state.sending = false;
    if (error.status === 401) return; // the session ended; the login page says so
    if (!error.retryable) {
      // Refused: nothing was recorded, so the next attempt is a new request.
      state.key = null;
      state.keyBody = null;
    }
    const mapped = error.retryable ? null : fieldErrors(screen, state, error);
    if (mapped) {
      state.errors = mapped;
      state.step = "input";
      screen.update({ focus: "error-summary" });
    } else {
      state.sendError = error;
      screen.update({ focus: "send-error" });
    }
  }
}

function backToInput(screen, state) {
  if (state.sending) return;
  state.step = "input";
  state.sendError = null;
  screen.update({ focus: "page-title" });
}

// --- rendering ------------------------------------------------------------------------------

function receiverName(state) {
  const receiver = state.receiver;
  if (!receiver || receiver.pending) return h("span", { id: "confirm-to-name" }, t("move.looking_up"));
  if (receiver.error) return h("span", { id: "confirm-to-name", class: "error-text" }, `${errorText(receiver.error)} (${receiver.error.code})`);
  return h("span", { id: "confirm-to-name" }, getLang() === "ja" ? receiver.holder.holder_ja : receiver.holder.holder);
}

function linesTable(screen, lines, id) {
  const any = t("common.any");
  return dataTable({
    caption: t(`${screen.kind}.lines_heading`),
    captionHidden: true,
    id,
    columns: [
      { label: t("col.line"), num: true }, { label: t("col.unit_type") }, { label: t("col.issued_period") }, { label: t("col.adopted_period") },
      { label: t("col.project") }, { label: t("col.amount"), num: true },
    ],
    rows: lines.map((line, index) => [
      String(index + 1), line.unit_type, line.issued_period || any, line.adopted_period || any, line.project || any, fmtNumber(line.amount),
    ]),
  });
}

function partyRows(screen, state, body) {
  return screen.transfer
    ? [
        [t("transfer.sender"), h("span", { id: "confirm-from" }, body.from_account)],
        [t("transfer.sender_name"), holderName(state)],
        [t("transfer.receiver"), h("span", { id: "confirm-to", class: "emphasis" }, body.to_account)],
        [t("transfer.receiver_name"), receiverName(state)],
      ]
    : [
        [t("retire.account"), h("span", { id: "confirm-from" }, body.account)],
        [t("retire.holder"), holderName(state)],
        [t("retire.period"), h("span", { id: "confirm-period", class: "emphasis" }, body.compliance_period)],
      ];
}

export function renderConfirm(screen, state) {
  const { kind } = screen;
  const body = state.body;
  const total = body.lines.reduce((sum, line) => sum + line.amount, 0);
  const retryable = state.sendError?.retryable;
  return [
    pageHeading(t(`${kind}.confirm_title`)),
    h("p", null, t(`${kind}.confirm_intro`)),
    marketNotice(screen),
    dealNotice(state),
    summaryList(partyRows(screen, state, body)),
    h("h2", null, t(`${kind}.lines_heading`)),
    linesTable(screen, body.lines, "confirm-lines"),
    summaryList([[t("move.total"), h("span", { id: "confirm-total", class: "amount emphasis" }, fmtAmount(total))]], "total"),
    state.sendError
      ? h(
          "div",
          { class: "error-box", role: "alert", id: "send-error", tabindex: "-1", "data-error-code": state.sendError.code },
          h("p", { class: "error-title" }, t("move.send_failed")),
          h("p", null, errorBody(state.sendError)),
          retryable ? h("p", null, t("move.retry_hint")) : null,
        )
      : null,
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        {
          type: "button", class: "primary", id: "execute", disabled: state.sending, "aria-busy": state.sending ? "true" : null,
          onclick: (event) => execute(screen, state, event),
        },
        state.sending ? t("move.sending") : retryable ? t("common.retry") : t(`${kind}.execute`),
      ),
      h("button", { type: "button", class: "secondary", id: "back-to-edit", disabled: state.sending, onclick: () => backToInput(screen, state) }, t("move.back_to_edit")),
    ),
  ];
}
