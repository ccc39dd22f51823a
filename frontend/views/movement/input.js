// Step 1, input: the sender (and its balance), the receiver's account number checked as
// it is typed (transfer) or the compliance period (retirement), up to MAX_LINES lines,
// the page's own checks, then the confirm page.

import { looksComplete, normalizeAccountNumber, validateAccountNumber } from "../../accounts.js";
import { h, vh } from "../../dom.js";
import { fmtAmount, fmtNumber, t } from "../../i18n.js";
import { accountSelect, clientError, dataTable, errorBody, errorBox, errorSummary, formField, pageHeading, serialRange, summaryList } from "../../ui.js";
import { showConfirm } from "./confirm.js";
import { dealNotice, holderName, loadBalance, marketNotice, MAX_LINES, newLine, normalizeDigits, normalizePeriod, UNIT_TYPES } from "./shared.js";

const REASON_KEYS = {
  empty: "validation.required",
  format: "validation.account_format",
  registry: "validation.account_registry",
  type: "validation.account_type",
  check: "validation.account_check",
  period: "validation.account_period",
};

// --- checks in the page ---------------------------------------------------------------------

/**
 * The verdict on the receiver typed so far: {ok: true}, {error} or {} (nothing to say yet).
 * final: false while typing, true once the field is left, "submit" on "Confirm".
 */
export function judgeReceiver(state, final) {
  const result = validateAccountNumber(state.to);
  if (result.valid) {
    return result.value === state.from ? { error: clientError("validation.same_account") } : { ok: true };
  }
  if (result.reason === "empty") return final === "submit" ? { error: clientError("validation.required") } : {};
  if (final || looksComplete(state.to) || !/^[A-Z0-9-]*$/.test(result.value)) return { error: clientError(REASON_KEYS[result.reason]) };
  return {};
}

/** As the user types: judge the receiver into the state and update its message in place (no re-render). */
function receiverChanged(state, final) {
  const judged = judgeReceiver(state, final);
  const before = JSON.stringify([state.errors.to_account || null, state.receiverOk]);
  if (judged.error) state.errors.to_account = judged.error;
  else delete state.errors.to_account;
  state.receiverOk = Boolean(judged.ok);
  if (JSON.stringify([state.errors.to_account || null, state.receiverOk]) === before) return;
  const feedback = document.getElementById("to_account-feedback");
  const input = document.getElementById("to_account");
  if (!feedback || !input) return;
  fillReceiverFeedback(state, feedback);
  if (state.errors.to_account) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
  input.closest(".field")?.classList.toggle("has-error", Boolean(state.errors.to_account));
}

function fillReceiverFeedback(state, element) {
  const error = state.errors.to_account;
  element.className = error ? "field-error" : state.receiverOk ? "field-ok" : "field-feedback";
  if (error) {
    element.setAttribute("data-error-for", "to_account");
    if (error.code) element.setAttribute("data-error-code", error.code);
    else element.removeAttribute("data-error-code");
    element.replaceChildren(...errorBody(error).flat().filter(Boolean));
  } else {
    element.removeAttribute("data-error-for");
    element.removeAttribute("data-error-code");
    element.replaceChildren(...(state.receiverOk ? [h("span", { "aria-hidden": "true" }, "✓ "), t("transfer.receiver_ok")] : []));
  }
  return element;
}

/** The page's own checks: {field: clientError} (empty when the input may be sent). */
export function validate(screen, state) {
  const errors = {};
  if (!state.from) errors[screen.accountField] = clientError("validation.choose_account");
  if (screen.transfer) {
    const judged = judgeReceiver(state, "submit");
    if (judged.error) errors.to_account = judged.error;
  } else if (!/^\d{2}$/.test(normalizePeriod(state.period))) {
    errors.compliance_period = clientError("validation.period");
  }
  state.lines.forEach((line, index) => {
    const amount = normalizeDigits(line.amount);
    if (amount === "") errors[`lines.${index}.amount`] = clientError("validation.required");
    else if (!/^\d+$/.test(amount) || Number(amount) < 1 || Number(amount) > 1e9) errors[`lines.${index}.amount`] = clientError("validation.amount");
    for (const name of ["issued_period", "adopted_period"]) {
      const period = normalizePeriod(line[name]);
      if (period !== "" && !/^\d{2}$/.test(period)) errors[`lines.${index}.${name}`] = clientError("validation.period");
    }
    const project = normalizeDigits(line.project);
    if (project !== "" && !/^[A-Za-z0-9-]{1,32}$/.test(project)) errors[`lines.${index}.project`] = clientError("validation.project");
  });
  return errors;
}

/** The body of POST /transfers or /retirements for what was typed (after validate). */
export function buildBody(screen, state) {
  const lines = state.lines.map((line) => {
    const built = { unit_type: line.unit_type };
    const issued = normalizePeriod(line.issued_period);
    const adopted = normalizePeriod(line.adopted_period);
    const project = normalizeDigits(line.project);
    if (issued) built.issued_period = issued;
    if (adopted) built.adopted_period = adopted;
    if (project) built.project = project;
    built.amount = Number(normalizeDigits(line.amount));
    return built;
  });
  if (!screen.transfer) return { account: state.from, compliance_period: normalizePeriod(state.period), lines };
  const body = { from_account: state.from, to_account: normalizeAccountNumber(state.to), lines };
  if (state.deal) body.deal_id = state.deal.id;
  return body;
}

// --- actions ----------------------------------------------------------------------------------

/** "Confirm": the page's checks, then the confirm page for the built body. */
function submit(screen, state, event) {
  event.preventDefault();
  state.errors = validate(screen, state);
  if (Object.keys(state.errors).length) {
    screen.update({ focus: "error-summary" });
    return;
  }
  showConfirm(screen, state, buildBody(screen, state));
}

function clearLineErrors(state) {
  for (const name of Object.keys(state.errors)) if (name.startsWith("lines")) delete state.errors[name];
}

function addLine(screen, state) {
  if (state.lines.length >= MAX_LINES) return;
  state.lines.push(newLine());
  clearLineErrors(state);
  screen.update({ focus: `lines-${state.lines.length - 1}-unit_type` });
}

function removeLine(screen, state, index) {
  if (state.lines.length <= 1) return;
  state.lines.splice(index, 1);
  clearLineErrors(state);
  const next = Math.min(index, state.lines.length - 1);
  screen.update({ focus: `lines-${next}-unit_type` });
}

// --- rendering ------------------------------------------------------------------------------

function senderSection(screen, state) {
  const { transfer, accountField } = screen;
  const control = state.accounts.length > 1
    ? accountSelect({
        id: accountField,
        accounts: state.accounts,
        value: state.from,
        onchange: (event) => {
          state.from = event.target.value;
          delete state.errors[accountField];
          if (transfer && state.to) receiverChanged(state, true);
          loadBalance(screen, state);
        },
      })
    : null;
  const rows = [
    control ? null : [t(transfer ? "transfer.sender" : "retire.account"), h("span", { id: accountField, class: "account-number" }, state.from)],
    [t(transfer ? "transfer.sender_name" : "retire.holder"), h("span", { id: "sender-name" }, holderName(state))],
    [t("balance.balance"), h("span", { id: "sender-balance" }, state.balance ? fmtAmount(state.balance.balance) : t("common.none"))],
    transfer ? [t("balance.transferable"), h("span", { id: "sender-transferable" }, state.balance ? fmtAmount(state.balance.transferable) : t("common.none"))] : null,
  ];
  return h(
    "fieldset",
    { class: "section" },
    h("legend", null, t(transfer ? "transfer.sender_section" : "retire.account_section")),
    control ? formField({ label: t(transfer ? "transfer.sender" : "retire.account"), control, error: state.errors[accountField], field: accountField }) : null,
    !control && state.errors[accountField] ? errorBox(state.errors[accountField], { field: accountField }) : null,
    summaryList(rows, "compact"),
    state.balanceError ? errorBox(state.balanceError) : null,
    state.balance && state.balance.holdings.length ? holdingsDetails(state.balance.holdings) : null,
    transfer ? null : formField({
      label: t("retire.period"),
      hint: t("retire.period_hint"),
      field: "compliance_period",
      error: state.errors.compliance_period,
      control: h("input", {
        id: "compliance_period", name: "compliance_period", type: "text", inputmode: "numeric", maxlength: "2", autocomplete: "off",
        class: "short", value: state.period, oninput: (event) => { state.period = event.target.value; },
      }),
    }),
  );
}

function holdingsDetails(holdings) {
  return h(
    "details",
    { class: "holdings-details" },
    h("summary", null, t("move.show_holdings")),
    dataTable({
      caption: t("move.available"),
      captionHidden: true,
      columns: [
        { label: t("col.no"), num: true }, { label: t("col.unit_type") }, { label: t("col.issued_period") },
        { label: t("col.adopted_period") }, { label: t("col.project") }, { label: t("col.serials") }, { label: t("col.amount"), num: true },
      ],
      rows: holdings.map((holding) => [
        String(holding.no), holding.unit_type, holding.issued_period, holding.adopted_period, holding.project || t("common.none"),
        serialRange(holding.serial_start, holding.serial_end), fmtNumber(holding.amount),
      ]),
    }),
  );
}

function receiverSection(state) {
  const control = h("input", {
    id: "to_account", name: "to_account", type: "text", autocomplete: "off", autocapitalize: "characters", spellcheck: "false",
    class: "account-input", value: state.to, "aria-invalid": state.errors.to_account ? "true" : null,
    oninput: (event) => { state.to = event.target.value; receiverChanged(state, false); },
    onchange: () => receiverChanged(state, true),
  });
  const feedback = fillReceiverFeedback(state, h("p", { id: "to_account-feedback", "aria-live": "polite" }));
  return h(
    "fieldset",
    { class: "section" },
    h("legend", null, t("transfer.receiver_section")),
    formField({ label: t("transfer.receiver"), hint: t("transfer.receiver_hint"), control, status: feedback, className: state.errors.to_account ? "has-error" : null }),
  );
}

function lineFieldset(screen, state, line, index) {
  const n = index + 1;
  const id = (name) => `lines-${index}-${name}`;
  const err = (name) => state.errors[`lines.${index}.${name}`];
  const input = (name, attrs) => h("input", {
    id: id(name), name: id(name), type: "text", autocomplete: "off", value: line[name],
    oninput: (event) => { line[name] = event.target.value; }, ...attrs,
  });
  return h(
    "fieldset",
    { class: "line", "data-line": String(index) },
    h("legend", null, t("move.line_legend", { n })),
    h(
      "div",
      { class: "line-grid" },
      formField({
        label: t("col.unit_type"), field: `lines.${index}.unit_type`, error: err("unit_type"),
        control: h("select", { id: id("unit_type"), name: id("unit_type"), value: line.unit_type, onchange: (event) => { line.unit_type = event.target.value; } },
          UNIT_TYPES.map((type) => h("option", { value: type }, type))),
      }),
      formField({ label: t("col.issued_period"), field: `lines.${index}.issued_period`, error: err("issued_period"),
        control: input("issued_period", { inputmode: "numeric", maxlength: "2", class: "short", "aria-describedby": "period-hint" }) }),
      formField({ label: t("col.adopted_period"), field: `lines.${index}.adopted_period`, error: err("adopted_period"),
        control: input("adopted_period", { inputmode: "numeric", maxlength: "2", class: "short", "aria-describedby": "period-hint" }) }),
      formField({ label: t("col.project"), field: `lines.${index}.project`, error: err("project"),
        control: input("project", { maxlength: "32", "aria-describedby": "period-hint" }) }),
      formField({ label: t("col.amount"), field: `lines.${index}.amount`, error: err("amount"),
        control: input("amount", { inputmode: "numeric", class: "amount-input", "aria-required": "true" }) }),
      h("div", { class: "line-remove" },
        h("button", { type: "button", class: "secondary small", id: id("remove"), disabled: state.lines.length <= 1, onclick: () => removeLine(screen, state, index) },
          t("move.remove_line"), vh(` (${t("move.line_legend", { n })})`))),
    ),
  );
}

function linesSection(screen, state) {
  return h(
    "fieldset",
    { class: ["section", "lines", state.errors.lines && "has-error"], id: "lines", tabindex: "-1" },
    h("legend", null, t(screen.transfer ? "transfer.lines_section" : "retire.lines_section")),
    h("p", { class: "hint", id: "period-hint" }, t("move.lines_hint")),
    state.errors.lines
      ? h("p", { class: "field-error", id: "lines-error", "data-error-for": "lines", "data-error-code": state.errors.lines.code || null }, errorBody(state.errors.lines))
      : null,
    state.lines.map((line, index) => lineFieldset(screen, state, line, index)),
    h(
      "div",
      { class: "lines-actions" },
      h("button", { type: "button", class: "secondary", id: "add-line", disabled: state.lines.length >= MAX_LINES, onclick: () => addLine(screen, state) }, t("move.add_line")),
      h("p", { class: "hint", id: "line-count" }, t("move.line_count", { n: state.lines.length })),
    ),
  );
}

export function renderInput(screen, state) {
  const { kind, transfer, accountField } = screen;
  const order = [accountField, "to_account", "compliance_period", "lines"];
  const entries = Object.entries(state.errors)
    .map(([field, error]) => ({ field, error }))
    .sort((a, b) => {
      const rank = (f) => (order.indexOf(f) === -1 ? order.length : order.indexOf(f));
      return rank(a.field) - rank(b.field) || a.field.localeCompare(b.field, "en", { numeric: true });
    });
  return [
    pageHeading(t(`${kind}.input_title`)),
    h("p", null, t(`${kind}.input_intro`)),
    marketNotice(screen),
    dealNotice(state),
    errorSummary(entries),
    h(
      "form",
      { novalidate: true, onsubmit: (event) => submit(screen, state, event), class: "movement-form", id: "movement-form" },
      senderSection(screen, state),
      transfer ? receiverSection(state) : null,
      linesSection(screen, state),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "to-confirm" }, t("transfer.confirm"))),
    ),
  ];
}
