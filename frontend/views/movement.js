// Transfer (クレジット移転) and retirement (償却), each in three steps as the registry's
// screens: input => confirm => completion notice.
//
// Sending exactly once: one Idempotency-Key (crypto.randomUUID) is made when the confirm
// page is shown and is sent with every attempt of that request; the button is disabled
// while sending. A retry after a network failure or a 5xx sends the same key, so the API
// replays the transaction instead of moving units twice. Going back to edit and confirming
// an unchanged request keeps the key too; a definitive refusal (4xx) drops it.

import { looksComplete, normalizeAccountNumber, validateAccountNumber } from "../accounts.js";
import { api, newIdempotencyKey } from "../api.js";
import { h, vh } from "../dom.js";
import { fmtAmount, fmtDateTime, fmtNumber, getLang, t } from "../i18n.js";
import {
  accountSelect, clientError, dataTable, errorBody, errorBox, errorSummary, errorText, formField, loading, pageHeading, serialRange,
  stepIndicator, summaryList,
} from "../ui.js";

export const MAX_LINES = 10;
const UNIT_TYPES = ["JPA", "jCER"];
const LINE_FIELDS = ["unit_type", "issued_period", "adopted_period", "project", "amount"];
const STEPS = ["input", "confirm", "done"];
const REASON_KEYS = {
  empty: "validation.required",
  format: "validation.account_format",
  registry: "validation.account_registry",
  type: "validation.account_type",
  check: "validation.account_check",
  period: "validation.account_period",
};

function newLine() {
  return { unit_type: "JPA", issued_period: "", adopted_period: "", project: "", amount: "" };
}

/** Full-width digits to ASCII, thousands separators and spaces removed. */
function normalizeDigits(text) {
  return String(text ?? "").normalize("NFKC").replace(/[,\s]/g, "");
}

/** "1" -> "01"; "" stays "" (any period). */
function normalizePeriod(text) {
  const value = normalizeDigits(text);
  return /^\d$/.test(value) ? `0${value}` : value;
}

export function movementView(ctx, kind) {
  const transfer = kind === "transfer";
  const accountField = transfer ? "from_account" : "account";
  const state = {
    step: "input",
    loading: true,
    loadError: null,
    accounts: [],
    from: "",
    to: "",
    receiverOk: false,
    period: "01",
    lines: [newLine()],
    balance: null,
    balanceError: null,
    errors: {},
    body: null,
    key: null,
    keyBody: null,
    sending: false,
    sendError: null,
    result: null,
  };

  // --- loading ---------------------------------------------------------------------------

  async function load() {
    try {
      const me = await ctx.me();
      state.accounts = me.accounts.filter((account) => account.status === "open");
      state.from = state.accounts[0]?.number || "";
      state.loading = false;
      ctx.update(view);
      if (state.from) await loadBalance();
    } catch (error) {
      state.loading = false;
      state.loadError = error;
      ctx.update(view);
    }
  }

  async function loadBalance() {
    const account = state.from;
    state.balance = null;
    state.balanceError = null;
    try {
      const balance = await api.balance(account);
      if (account === state.from) state.balance = balance;
    } catch (error) {
      if (account === state.from) state.balanceError = error;
    }
    ctx.update(view);
  }

  // --- validation --------------------------------------------------------------------------

  function judgeReceiver(final) {
    const result = validateAccountNumber(state.to);
    if (result.valid) {
      return result.value === state.from ? { error: clientError("validation.same_account") } : { ok: true };
    }
    if (result.reason === "empty") return final === "submit" ? { error: clientError("validation.required") } : {};
    if (final || looksComplete(state.to) || !/^[A-Z0-9-]*$/.test(result.value)) return { error: clientError(REASON_KEYS[result.reason]) };
    return {};
  }

  /** As the user types: judge the receiver and update its message in place. */
  function receiverChanged(final) {
    const judged = judgeReceiver(final);
    const before = JSON.stringify([state.errors.to_account || null, state.receiverOk]);
    if (judged.error) state.errors.to_account = judged.error;
    else delete state.errors.to_account;
    state.receiverOk = Boolean(judged.ok);
    if (JSON.stringify([state.errors.to_account || null, state.receiverOk]) === before) return;
    const feedback = document.getElementById("to_account-feedback");
    const input = document.getElementById("to_account");
    if (!feedback || !input) return;
    fillReceiverFeedback(feedback);
    if (state.errors.to_account) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    input.closest(".field")?.classList.toggle("has-error", Boolean(state.errors.to_account));
  }

  function fillReceiverFeedback(element) {
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

  function validate() {
    const errors = {};
    if (!state.from) errors[accountField] = clientError("validation.choose_account");
    if (transfer) {
      const judged = judgeReceiver("submit");
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

  function buildBody() {
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
    return transfer
      ? { from_account: state.from, to_account: normalizeAccountNumber(state.to), lines }
      : { account: state.from, compliance_period: normalizePeriod(state.period), lines };
  }

  /** The fields an API error names, if this form shows them. */
  function knownField(field) {
    if (!field) return null;
    if (field === accountField || field === "lines") return field;
    if (transfer && field === "to_account") return field;
    if (!transfer && field === "compliance_period") return field;
    const match = /^lines\.(\d+)(?:\.(\w+))?$/.exec(field);
    if (!match || Number(match[1]) >= state.lines.length) return null;
    return match[2] && LINE_FIELDS.includes(match[2]) ? field : "lines";
  }

  function fieldErrors(error) {
    const errors = {};
    const fields = error.code === "VALIDATION_ERROR" && error.details.length ? error.details.map((detail) => detail.field) : [error.field];
    for (const field of fields) {
      const known = knownField(field);
      if (known) errors[known] = error;
    }
    return Object.keys(errors).length ? errors : null;
  }

  // --- actions -------------------------------------------------------------------------------

  function toConfirm(event) {
    event.preventDefault();
    state.errors = validate();
    if (Object.keys(state.errors).length) {
      ctx.update(view, { focus: "error-summary" });
      return;
    }
    state.body = buildBody();
    const text = JSON.stringify(state.body);
    // One key per request: made when the confirm page is first shown for this content.
    if (state.key === null || state.keyBody !== text) {
      state.key = newIdempotencyKey();
      state.keyBody = text;
    }
    state.sendError = null;
    state.step = "confirm";
    if (transfer) lookUpReceiver(state.body.to_account);
    ctx.update(view, { focus: "page-title" });
  }

  // The receiver's company name, as the registry's confirmation screen shows it.
  function lookUpReceiver(number) {
    state.receiver = { number, pending: true };
    api.holder(number).then(
      (holder) => {
        if (state.receiver?.number !== number) return;
        state.receiver = { number, holder };
        ctx.update(view);
      },
      (error) => {
        if (state.receiver?.number !== number) return;
        state.receiver = { number, error };
        ctx.update(view);
      },
    );
  }

  function receiverName() {
    const receiver = state.receiver;
    if (!receiver || receiver.pending) return h("span", { id: "confirm-to-name" }, t("move.looking_up"));
    if (receiver.error) return h("span", { id: "confirm-to-name", class: "error-text" }, `${errorText(receiver.error)} (${receiver.error.code})`);
    return h("span", { id: "confirm-to-name" }, getLang() === "ja" ? receiver.holder.holder_ja : receiver.holder.holder);
  }

  async function execute(event) {
    if (state.sending) return;
    state.sending = true;
    if (event?.currentTarget) event.currentTarget.disabled = true;
    if (state.key === null) {
      state.key = newIdempotencyKey();
      state.keyBody = JSON.stringify(state.body);
    }
    state.sendError = null;
    ctx.update(view);
    try {
      const response = await (transfer ? api.transfer : api.retire)(state.body, state.key);
      state.result = response.transaction;
      state.step = "done";
      state.key = null;
      state.keyBody = null;
      state.sending = false;
      ctx.update(view, { focus: "page-title" });
    } catch (error) {
      state.sending = false;
      if (error.status === 401) return; // the session ended; the login page says so
      if (!error.retryable) {
        // Refused: nothing was recorded, so the next attempt is a new request.
        state.key = null;
        state.keyBody = null;
      }
      const mapped = error.retryable ? null : fieldErrors(error);
      if (mapped) {
        state.errors = mapped;
        state.step = "input";
        ctx.update(view, { focus: "error-summary" });
      } else {
        state.sendError = error;
        ctx.update(view, { focus: "send-error" });
      }
    }
  }

  function backToInput() {
    if (state.sending) return;
    state.step = "input";
    state.sendError = null;
    ctx.update(view, { focus: "page-title" });
  }

  function again() {
    const from = state.from;
    Object.assign(state, {
      step: "input", to: "", receiverOk: false, period: "01", lines: [newLine()], errors: {}, body: null, key: null, keyBody: null,
      sendError: null, result: null, from,
    });
    ctx.update(view, { focus: "page-title" });
    loadBalance();
  }

  function clearLineErrors() {
    for (const name of Object.keys(state.errors)) if (name.startsWith("lines")) delete state.errors[name];
  }

  function addLine() {
    if (state.lines.length >= MAX_LINES) return;
    state.lines.push(newLine());
    clearLineErrors();
    ctx.update(view, { focus: `lines-${state.lines.length - 1}-unit_type` });
  }

  function removeLine(index) {
    if (state.lines.length <= 1) return;
    state.lines.splice(index, 1);
    clearLineErrors();
    const next = Math.min(index, state.lines.length - 1);
    ctx.update(view, { focus: `lines-${next}-unit_type` });
  }

  // --- rendering ------------------------------------------------------------------------------

  function holderName() {
    if (!state.balance) return t("common.none");
    return getLang() === "ja" ? state.balance.holder_ja : state.balance.holder;
  }

  function senderSection() {
    const control = state.accounts.length > 1
      ? accountSelect({
          id: accountField,
          accounts: state.accounts,
          value: state.from,
          onchange: (event) => {
            state.from = event.target.value;
            delete state.errors[accountField];
            if (transfer && state.to) receiverChanged(true);
            loadBalance();
          },
        })
      : null;
    const rows = [
      control ? null : [t(transfer ? "transfer.sender" : "retire.account"), h("span", { id: accountField, class: "account-number" }, state.from)],
      [t(transfer ? "transfer.sender_name" : "retire.holder"), h("span", { id: "sender-name" }, holderName())],
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

  function receiverSection() {
    const control = h("input", {
      id: "to_account", name: "to_account", type: "text", autocomplete: "off", autocapitalize: "characters", spellcheck: "false",
      class: "account-input", value: state.to, "aria-invalid": state.errors.to_account ? "true" : null,
      oninput: (event) => { state.to = event.target.value; receiverChanged(false); },
      onchange: () => receiverChanged(true),
    });
    const feedback = fillReceiverFeedback(h("p", { id: "to_account-feedback", "aria-live": "polite" }));
    return h(
      "fieldset",
      { class: "section" },
      h("legend", null, t("transfer.receiver_section")),
      formField({ label: t("transfer.receiver"), hint: t("transfer.receiver_hint"), control, status: feedback, className: state.errors.to_account ? "has-error" : null }),
    );
  }

  function lineFieldset(line, index) {
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
          h("button", { type: "button", class: "secondary small", id: id("remove"), disabled: state.lines.length <= 1, onclick: () => removeLine(index) },
            t("move.remove_line"), vh(` (${t("move.line_legend", { n })})`))),
      ),
    );
  }

  function linesSection() {
    return h(
      "fieldset",
      { class: ["section", "lines", state.errors.lines && "has-error"], id: "lines", tabindex: "-1" },
      h("legend", null, t(transfer ? "transfer.lines_section" : "retire.lines_section")),
      h("p", { class: "hint", id: "period-hint" }, t("move.lines_hint")),
      state.errors.lines
        ? h("p", { class: "field-error", id: "lines-error", "data-error-for": "lines", "data-error-code": state.errors.lines.code || null }, errorBody(state.errors.lines))
        : null,
      state.lines.map(lineFieldset),
      h(
        "div",
        { class: "lines-actions" },
        h("button", { type: "button", class: "secondary", id: "add-line", disabled: state.lines.length >= MAX_LINES, onclick: addLine }, t("move.add_line")),
        h("p", { class: "hint", id: "line-count" }, t("move.line_count", { n: state.lines.length })),
      ),
    );
  }

  function marketNotice() {
    const market = ctx.market();
    if (!transfer || !market || market.status === "open") return null;
    return h(
      "div",
      { class: "notice notice-warning", role: "status", id: "market-notice" },
      h("p", null, t(market.status === "halted" ? "transfer.market_halted" : "transfer.market_notice")),
      market.next_open ? h("p", null, t("market.next_open", { time: fmtDateTime(market.next_open, { seconds: false, weekday: true }) })) : null,
    );
  }

  function renderInput() {
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
      marketNotice(),
      errorSummary(entries),
      h(
        "form",
        { novalidate: true, onsubmit: toConfirm, class: "movement-form", id: "movement-form" },
        senderSection(),
        transfer ? receiverSection() : null,
        linesSection(),
        h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "to-confirm" }, t("transfer.confirm"))),
      ),
    ];
  }

  function linesTable(lines, id) {
    const any = t("common.any");
    return dataTable({
      caption: t(`${kind}.lines_heading`),
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

  function partyRows(body) {
    return transfer
      ? [
          [t("transfer.sender"), h("span", { id: "confirm-from" }, body.from_account)],
          [t("transfer.sender_name"), holderName()],
          [t("transfer.receiver"), h("span", { id: "confirm-to", class: "emphasis" }, body.to_account)],
          [t("transfer.receiver_name"), receiverName()],
        ]
      : [
          [t("retire.account"), h("span", { id: "confirm-from" }, body.account)],
          [t("retire.holder"), holderName()],
          [t("retire.period"), h("span", { id: "confirm-period", class: "emphasis" }, body.compliance_period)],
        ];
  }

  function renderConfirm() {
    const body = state.body;
    const total = body.lines.reduce((sum, line) => sum + line.amount, 0);
    const retryable = state.sendError?.retryable;
    return [
      pageHeading(t(`${kind}.confirm_title`)),
      h("p", null, t(`${kind}.confirm_intro`)),
      marketNotice(),
      summaryList(partyRows(body)),
      h("h2", null, t(`${kind}.lines_heading`)),
      linesTable(body.lines, "confirm-lines"),
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
          { type: "button", class: "primary", id: "execute", disabled: state.sending, "aria-busy": state.sending ? "true" : null, onclick: execute },
          state.sending ? t("move.sending") : retryable ? t("common.retry") : t(`${kind}.execute`),
        ),
        h("button", { type: "button", class: "secondary", id: "back-to-edit", disabled: state.sending, onclick: backToInput }, t("move.back_to_edit")),
      ),
    ];
  }

  function renderDone() {
    const tx = state.result;
    const lang = getLang();
    const party = (name, nameJa, account) => (account ? t("detail.party", { name: (lang === "ja" ? nameJa : name) || account, account }) : t("common.none"));
    return [
      pageHeading(t(`${kind}.done_title`)),
      h(
        "div",
        { class: "notice notice-success", role: "status" },
        h("p", null, t(`${kind}.done_message`)),
        h("p", { class: "tx-number-line" }, `${t("move.tx_number")}: `, h("strong", { id: "tx-number", class: "tx-number" }, tx.id)),
      ),
      summaryList([
        [t("move.tx_number"), tx.id],
        [t("move.processed_at"), fmtDateTime(tx.created_at)],
        [t("detail.from"), party(tx.from_name, tx.from_name_ja, tx.from_account)],
        [t(transfer ? "detail.to" : "retire.destination"), party(tx.to_name, tx.to_name_ja, tx.to_account)],
        tx.compliance_period ? [t("retire.period"), tx.compliance_period] : null,
        [t("move.total"), h("span", { id: "done-total", class: "amount" }, fmtAmount(tx.amount))],
      ]),
      h("h2", null, t("move.blocks")),
      dataTable({
        caption: t("move.blocks"),
        captionHidden: true,
        id: "done-blocks",
        columns: [
          { label: t("col.origin") }, { label: t("col.unit_type") }, { label: t("col.issued_period") }, { label: t("col.adopted_period") },
          { label: t("col.project") }, { label: t("col.serials") }, { label: t("col.amount"), num: true },
        ],
        rows: tx.blocks.map((block) => [
          block.origin, block.unit_type, block.issued_period, block.adopted_period, block.project || t("common.none"),
          serialRange(block.serial_start, block.serial_end), fmtNumber(block.amount),
        ]),
      }),
      h(
        "div",
        { class: "actions no-print" },
        h("a", { href: "#/balance", class: "button-link" }, t("common.to_balance")),
        h("a", { href: "#/history", class: "button-link" }, t("common.to_history")),
        h("button", { type: "button", class: "secondary", id: "again", onclick: again }, t(`${kind}.again`)),
      ),
    ];
  }

  const view = {
    title: () => `${t(`${kind}.step.${state.step}`)} - ${t(`${kind}.title`)}`,
    start: load,
    onMarket() {
      if (transfer && state.step !== "done") ctx.update(view);
    },
    render() {
      const steps = stepIndicator(STEPS.map((step) => t(`${kind}.step.${step}`)), STEPS.indexOf(state.step));
      let content;
      if (state.loadError) content = [pageHeading(t(`${kind}.title`)), errorBox(state.loadError)];
      else if (state.loading) content = [pageHeading(t(`${kind}.title`)), loading()];
      else if (!state.accounts.length) content = [pageHeading(t(`${kind}.title`)), h("p", null, t(`${kind}.no_accounts`))];
      else if (state.step === "confirm") content = renderConfirm();
      else if (state.step === "done") content = renderDone();
      else content = renderInput();
      return h("section", { class: `movement ${kind}`, "data-step": state.step }, steps, content);
    },
  };
  return view;
}
