// The participant portal: start-up, the header on every page, the hash router and the
// session (expiry, refresh, logout). Screens live in views/.

import { api, loadConfig, onUnauthorized, session } from "./api.js";
import { h, replace, vh } from "./dom.js";
import { fmtDateTime, fmtTime, getLang, initLang, setLang, t } from "./i18n.js";
import { errorBox, pageHeading } from "./ui.js";
import { balanceView } from "./views/balance.js";
import { phasesView } from "./views/compliance/phases.js";
import { phaseReportView } from "./views/compliance/report.js";
import { calculationView } from "./views/emissions/calculation.js";
import { monitoringView } from "./views/emissions/monitoring.js";
import { reportsView } from "./views/emissions/reports.js";
import { sheetsView } from "./views/emissions/sheets.js";
import { sourcesView } from "./views/emissions/sources.js";
import { helpView } from "./views/help.js";
import { forgetHistory, historyView, transactionView } from "./views/history.js";
import { loginView } from "./views/login.js";
import { movementView } from "./views/movement.js";
import { matchingNav, matchingRoutes } from "./views/matching/routes.js";
import { forgetNotifications, notificationsLink, watchNotifications } from "./views/matching/notifications.js";
import { delayedView } from "./views/controls/delayed.js";
import { proposalsView } from "./views/controls/proposals.js";
import { trustedView } from "./views/controls/trusted.js";

/** How often the trading window is asked for (the header refreshes without reloading). */
const MARKET_POLL_MS = 30_000;
/** Tokens are refreshed this long before they expire, while the page is open. */
const REFRESH_MARGIN_MS = 120_000;

const app = {
  me: null,
  mePromise: null,
  market: null,
  marketKey: "",
  marketError: false,
  clockOffset: 0,
  view: null,
  notice: null,
  returnTo: null,
  refreshTimer: null,
  routed: false,
};

const routes = {
  login: { public: true, make: () => loginView(ctx) },
  help: { public: true, make: () => helpView(ctx) },
  balance: { make: (params) => balanceView(ctx, params[0] || null) },
  transfer: { make: () => movementView(ctx, "transfer") },
  retire: { make: () => movementView(ctx, "retire") },
  history: { make: (params) => (params[0] ? transactionView(ctx, params[0]) : historyView(ctx)) },
  sources: { make: () => sourcesView(ctx) },
  monitoring: { make: (params) => monitoringView(ctx, params[0] || null) },
  sheets: { make: (params) => sheetsView(ctx, params[0] || null) },
  calculation: { make: (params) => calculationView(ctx, params[0] || null) },
  reports: { make: (params) => reportsView(ctx, params[0] || null, params[1] || null) },
  phases: { make: (params) => phasesView(ctx, params[0] || null) },
  "phase-report": { make: (params) => phaseReportView(ctx, params[0] || "") },
  ...matchingRoutes(() => ctx),
  trusted: { make: (params) => trustedView(ctx, params[0] || null) },
  delayed: { make: () => delayedView(ctx) },
  proposals: { make: (params) => proposalsView(ctx, params[0] || null) },
};

const NAV = [
  ["balance", "nav.balance"],
  ["transfer", "nav.transfer"],
  ["retire", "nav.retire"],
  ["history", "nav.history"],
];

/** Emissions management, in the order of the seed's menu, for participants of target organisations. */
const EMISSIONS_NAV = [
  ["sources", "nav.sources"],
  ["monitoring", "nav.monitoring"],
  ["sheets", "nav.sheets"],
  ["calculation", "nav.calculation"],
  ["reports", "nav.reports"],
];
/** Verification, for the users of verification bodies. */
const VERIFICATION_NAV = [["reports", "nav.verification_reports"]];
const EMISSIONS_KINDS = new Set(["target", "target_subsidised"]);
/** Phases and compliance: for every signed-in user (the API shows each what it may see). */
const COMPLIANCE_NAV = [["phases", "nav.phases"]];
/** Trusted receivers and held transfers for participants; the approval of proposals for administrators. */
const CONTROLS_NAV = [
  ["trusted", "nav.trusted"],
  ["delayed", "nav.delayed"],
];
const ADMIN_NAV = [["proposals", "nav.proposals"]];
ADMIN_NAV.push(["reports", "review.nav"]);

function showsEmissions(me) {
  return Boolean(me && me.role === "participant" && EMISSIONS_KINDS.has(me.org_kind));
}

let header;
let main;
let footer;

// --- what the screens may use ------------------------------------------------------------

const ctx = {
  /** Re-render a view if it is still the one shown; optionally focus an element after. */
  update(view, { focus = null } = {}) {
    if (view === app.view) renderAll({ focus });
  },
  navigate,
  me: ensureMe,
  market: () => app.market,
  /** The registry's time (the PC clock corrected by the API's). */
  now: () => now(),
  notice: () => app.notice,
  startSession(tokens) {
    session.start(tokens);
    app.notice = null;
    app.me = null;
    scheduleRefresh();
    const target = app.returnTo && !app.returnTo.startsWith("#/login") ? app.returnTo : "#/balance";
    app.returnTo = null;
    navigate(target);
  },
};

// --- routing -------------------------------------------------------------------------------

function parseHash() {
  const hash = location.hash || "";
  const path = hash.startsWith("#/") ? hash.slice(2) : "";
  let parts;
  try {
    parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    parts = ["?"];
  }
  const [name = "", ...params] = parts;
  return { name, params };
}

function navigate(hash, replace = false) {
  if (location.hash === hash) {
    route();
  } else if (replace) {
    history.replaceState(null, "", hash);
    route();
  } else {
    location.hash = hash;
  }
}

function route() {
  const { name, params } = parseHash();
  const current = session.get();
  if (current && session.expired(current)) {
    endSession("expired");
    return;
  }
  if (!name) {
    navigate(current ? "#/balance" : "#/login", true);
    return;
  }
  const definition = routes[name];
  if (!definition) {
    show(notFoundView());
    return;
  }
  if (!definition.public && !current) {
    app.returnTo = location.hash;
    navigate("#/login", true);
    return;
  }
  if (name === "login" && current) {
    navigate("#/balance", true);
    return;
  }
  show(definition.make(params));
  // The menu's emissions section depends on the organisation's kind (GET /me).
  if (current && !app.me) ensureMe().then(() => ctx.update(app.view), () => {});
}

function show(view) {
  app.view?.stop?.();
  app.view = view;
  view.name = parseHash().name;
  const first = !app.routed;
  app.routed = true;
  view.start?.();
  renderAll({ focus: first ? null : "page-title" });
}

// --- session -------------------------------------------------------------------------------

function ensureMe() {
  if (app.me) return Promise.resolve(app.me);
  if (!app.mePromise) {
    app.mePromise = api.me().then(
      (me) => {
        app.me = me;
        app.mePromise = null;
        return me;
      },
      (error) => {
        app.mePromise = null;
        throw error;
      },
    );
  }
  return app.mePromise;
}

function scheduleRefresh() {
  clearTimeout(app.refreshTimer);
  const current = session.get();
  if (!current) return;
  const delay = Math.max(0, Number(current.expiresAt) - Date.now() - REFRESH_MARGIN_MS);
  app.refreshTimer = setTimeout(refreshTokens, Math.min(delay, 2 ** 31 - 1));
}

async function refreshTokens() {
  const current = session.get();
  if (!current) return;
  if (!current.refreshToken) {
    app.refreshTimer = setTimeout(() => endSession("expired"), Math.max(0, current.expiresAt - Date.now()));
    return;
  }
  try {
    session.start(await api.refresh(current.refreshToken), current);
    scheduleRefresh();
  } catch (error) {
    if (error.retryable && !session.expired(current)) app.refreshTimer = setTimeout(refreshTokens, 15_000);
    else endSession("expired");
  }
}

/** Leave the session: "expired" (expires_in passed), "invalid" (the API refused the token) or "logged_out". */
function endSession(reason) {
  const { name } = parseHash();
  session.clear();
  forgetHistory();
  forgetNotifications();
  clearTimeout(app.refreshTimer);
  app.me = null;
  app.mePromise = null;
  app.notice = reason;
  app.returnTo = reason !== "logged_out" && name && name !== "login" ? location.hash : null;
  if (name === "login" && app.view?.isLogin) {
    app.view.restart?.();
    renderAll({ focus: "notice" });
    return;
  }
  navigate("#/login", reason !== "logged_out");
}

function logout() {
  // Revoke the refresh tokens (Cognito, with the user's own access token); the page
  // signs out whatever the answer.
  const current = session.get();
  if (current?.accessToken) api.logout(current.accessToken).catch(() => {});
  endSession("logged_out");
}

// --- header, footer, clock, trading window ----------------------------------------------

function toggleLang() {
  setLang(getLang() === "ja" ? "en" : "ja");
  renderAll({ focus: "lang-toggle" });
}

function now() {
  return new Date(Date.now() + app.clockOffset);
}

function clockText() {
  return fmtDateTime(now(), { weekday: true });
}

function marketNodes() {
  const market = app.market;
  const label = h("span", { class: "label" }, t("header.market"));
  if (!market) return [label, " ", h("span", { class: "market-extra" }, app.marketError ? t("market.unavailable") : t("market.loading"))];
  const extra = [];
  if (market.status === "open" && market.closes_at && !market.closes_at.startsWith("9999")) {
    extra.push(t("market.until", { time: fmtTime(market.closes_at) }));
  }
  if (market.status !== "open" && market.next_open) {
    extra.push(t("market.next_open", { time: fmtDateTime(market.next_open, { seconds: false, weekday: true }) }));
  }
  if (market.status === "halted" && market.reason) extra.push(t("market.reason", { reason: market.reason }));
  return [
    label,
    " ",
    h("span", { class: `badge badge-${market.status}`, id: "market-badge", "data-status": market.status }, t(`market.${market.status}`)),
    extra.length ? h("span", { class: "market-extra", id: "market-extra" }, extra.join(" / ")) : null,
  ];
}

function renderHeader() {
  const user = session.get()?.user || null;
  const current = app.view?.name;
  replace(
    header,
    h("a", { class: "skip-link", href: "#main", onclick: (event) => { event.preventDefault(); main.focus(); } }, t("skip.link")),
    h(
      "div",
      { class: "header-top" },
      h("p", { class: "brand" }, h("span", { class: "brand-ministry" }, t("app.ministry")), h("span", { class: "brand-title" }, t("app.title"))),
      h(
        "div",
        { class: "header-tools" },
        user
          ? h(
              "p",
              { class: "who" },
              vh(`${t("header.signed_in_as")}: `),
              h("span", { class: "org", id: "header-org" }, getLang() === "ja" ? user.org_name_ja || user.org_name : user.org_name || user.org_name_ja),
              h("span", { class: "user", id: "header-user" }, t("header.user", { username: user.username })),
            )
          : null,
        notificationsLink(current),
        h("a", { href: "#/help", class: "tool-link", id: "help-link", "aria-current": current === "help" ? "page" : null }, t("nav.help")),
        h("button", { type: "button", id: "lang-toggle", class: "tool-button", lang: t("lang.toggle_lang"), onclick: toggleLang }, t("lang.toggle")),
        user ? h("button", { type: "button", id: "logout", class: "tool-button", onclick: logout }, t("nav.logout")) : null,
      ),
    ),
    h(
      "div",
      { class: "header-status" },
      h("p", { class: "clock" }, h("span", { class: "label" }, t("header.clock")), " ", h("time", { id: "clock", datetime: now().toISOString() }, clockText())),
      h("p", { class: "market", id: "market-status", "aria-live": "polite" }, marketNodes()),
    ),
    user
      ? h(
          "nav",
          { class: "main-nav", "aria-label": t("nav.label") },
          navList(NAV, current, "nav-registry", t("nav.registry")),
          showsEmissions(app.me) ? navList(EMISSIONS_NAV, current, "nav-emissions", t("nav.emissions")) : null,
          app.me?.role === "verifier" ? navList(VERIFICATION_NAV, current, "nav-verification", t("nav.verification")) : null,
          navList(COMPLIANCE_NAV, current === "phase-report" ? "phases" : current, "nav-compliance", t("nav.compliance")),
          navList(matchingNav(app.me), current, "nav-matching", t("nav.matching")),
          app.me ? navList(app.me.role === "admin" ? ADMIN_NAV : CONTROLS_NAV, current, "nav-controls", t("nav.controls")) : null,
        )
      : null,
  );
}

function navList(items, current, id, label) {
  return h(
    "div",
    { class: "nav-group", id },
    h("p", { class: "nav-group-label", id: `${id}-label` }, label),
    h(
      "ul",
      { "aria-labelledby": `${id}-label` },
      items.map(([name, key]) =>
        h("li", null, h("a", { href: `#/${name}`, id: `nav-${name}`, "aria-current": current === name ? "page" : null }, t(key))),
      ),
    ),
  );
}

function renderFooter() {
  replace(footer, h("p", null, t("footer.text")), h("p", null, t("footer.hours")));
}

function tick() {
  const clock = document.getElementById("clock");
  if (!clock) return;
  const text = clockText();
  if (clock.textContent !== text) {
    clock.textContent = text;
    clock.setAttribute("datetime", now().toISOString());
  }
}

async function pollMarket() {
  try {
    const market = await api.market();
    const serverNow = Date.parse(market.now);
    // Show the registry's time, not a wrong PC clock (the API answers to the second).
    const offset = Number.isNaN(serverNow) ? 0 : serverNow - Date.now();
    app.clockOffset = Math.abs(offset) > 5_000 ? offset : 0;
    const key = JSON.stringify({ ...market, now: null });
    const changed = key !== app.marketKey || app.marketError;
    app.market = market;
    app.marketKey = key;
    app.marketError = false;
    if (changed) {
      const element = document.getElementById("market-status");
      if (element) replace(element, marketNodes());
      app.view?.onMarket?.();
    }
  } catch {
    if (!app.marketError) {
      app.marketError = true;
      app.market = null;
      app.marketKey = "";
      const element = document.getElementById("market-status");
      if (element) replace(element, marketNodes());
    }
  }
}

// --- rendering -------------------------------------------------------------------------------

const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

function renderAll({ focus = null } = {}) {
  const active = document.activeElement;
  const activeId = active && active !== document.body ? active.id : "";
  // An element without an id is found again by its place among the focusable ones.
  const activeIndex = active && !activeId ? [...document.querySelectorAll(FOCUSABLE)].indexOf(active) : -1;
  const activeTag = active ? active.tagName : "";
  let selection = null;
  try {
    if (active && typeof active.selectionStart === "number") selection = [active.selectionStart, active.selectionEnd];
  } catch {
    selection = null;
  }
  renderHeader();
  const content = app.view.render();
  replace(main, content);
  renderFooter();
  const title = typeof app.view.title === "function" ? app.view.title() : t(app.view.titleKey);
  document.title = t("common.page_title", { title });
  let target = (focus && document.getElementById(focus)) || (activeId && document.getElementById(activeId));
  if (!target && !focus && activeIndex >= 0) {
    const candidate = document.querySelectorAll(FOCUSABLE)[activeIndex];
    if (candidate && candidate.tagName === activeTag) target = candidate;
  }
  if (target) {
    target.focus({ preventScroll: focus === null });
    if (!focus && selection && typeof target.setSelectionRange === "function") {
      try {
        target.setSelectionRange(...selection);
      } catch {
        // not a text control
      }
    }
  }
}

function notFoundView() {
  return {
    titleKey: "common.not_found_title",
    render: () => [pageHeading(t("common.not_found_title")), h("p", null, t("common.not_found"))],
  };
}

function messageView(titleKey, error) {
  return {
    titleKey,
    render: () => [pageHeading(t(titleKey)), errorBox(error)],
  };
}

async function boot() {
  initLang();
  header = document.getElementById("site-header");
  main = document.getElementById("main");
  footer = document.getElementById("site-footer");
  onUnauthorized(() => endSession("invalid"));
  app.view = { titleKey: "app.loading", render: () => h("p", { class: "loading", role: "status" }, t("app.loading")) };
  renderAll();
  try {
    await loadConfig();
  } catch {
    app.view = messageView("app.short", { code: "CONFIG_UNAVAILABLE" });
    renderAll();
    return;
  }
  setInterval(tick, 250);
  pollMarket();
  setInterval(pollMarket, MARKET_POLL_MS);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) pollMarket();
  });
  window.addEventListener("hashchange", route);
  watchNotifications();
  scheduleRefresh();
  route();
}

boot();
