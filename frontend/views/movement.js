// Transfer (クレジット移転) and retirement (償却), each in three steps as the registry's
// screens: input => confirm => completion notice.
//
// This module makes the view: it owns the one state object, loads the sender's accounts
// and shows the step state.step names. Each step is a module of its own, whose functions
// take the screen and the state as parameters (shared.js has what they share):
// - movement/input.js: the form, the page's own checks, "Confirm";
// - movement/confirm.js: the request as it will be sent, its one Idempotency-Key, sending;
// - movement/done.js: the completion notice, "again".

import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { clientError, errorBox, loading, pageHeading, stepIndicator } from "../ui.js";
import { renderConfirm } from "./movement/confirm.js";
import { renderDone } from "./movement/done.js";
import { judgeReceiver, renderInput } from "./movement/input.js";
import { applyDealPrefill, loadBalance, movementScreen, newState, STEPS } from "./movement/shared.js";

export { MAX_LINES } from "./movement/shared.js";

/** The sender's open accounts (the first one chosen), then its balance. */
async function load(screen, state) {
  try {
    const me = await screen.ctx.me();
    state.accounts = me.accounts.filter((account) => account.status === "open");
    state.from = state.accounts[0]?.number || "";
    if (screen.dealId) {
      const deal = await api.deal(screen.dealId);
      if (!deal.transfer || !deal.next_actions.includes("settle")) {
        // Not the seller's to settle now (not yet received, already settled, or the buyer).
        state.loading = false;
        state.loadError = clientError("transfer.deal_not_ready", { id: deal.id });
        screen.update();
        return;
      }
      applyDealPrefill(state, deal);
      state.receiverOk = Boolean(judgeReceiver(state, true).ok);
    }
    state.loading = false;
    screen.update();
    if (state.from) await loadBalance(screen, state);
  } catch (error) {
    state.loading = false;
    state.loadError = error;
    screen.update();
  }
}

function render(screen, state) {
  const { kind } = screen;
  const steps = stepIndicator(STEPS.map((step) => t(`${kind}.step.${step}`)), STEPS.indexOf(state.step));
  let content;
  if (state.loadError) content = [pageHeading(t(`${kind}.title`)), errorBox(state.loadError, { id: "load-error" })];
  else if (state.loading) content = [pageHeading(t(`${kind}.title`)), loading()];
  else if (!state.accounts.length) content = [pageHeading(t(`${kind}.title`)), h("p", null, t(`${kind}.no_accounts`))];
  else if (state.step === "confirm") content = renderConfirm(screen, state);
  else if (state.step === "done") content = renderDone(screen, state);
  else content = renderInput(screen, state);
  return h("section", { class: `movement ${kind}`, "data-step": state.step }, steps, content);
}

/** kind: "transfer" or "retire"; dealId: the notice board's deal a transfer settles (prefilled from it). */
export function movementView(ctx, kind, dealId = null) {
  const state = newState();
  const view = {
    title: () => `${t(`${kind}.step.${state.step}`)} - ${t(`${kind}.title`)}`,
    start: () => load(screen, state),
    onMarket() {
      if (screen.transfer && state.step !== "done") screen.update();
    },
    render: () => render(screen, state),
  };
  const screen = movementScreen(ctx, kind, view, dealId);
  return view;
}
