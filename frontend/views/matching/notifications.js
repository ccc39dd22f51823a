// Notifications of the notice board (お知らせ): the header's link with the number of unread
// ones (asked for when the page opens, on every route and every 30 seconds while signed
// in) and the page that lists them, each linked to its thread or deal, marked read when
// followed or with its button.
//
// The unread count outlives the views, so it is kept here and cleared on sign-out
// (forgetNotifications), as history.js keeps its last query.

import { api, session } from "../../api.js";
import { h, replace } from "../../dom.js";
import { fmtDateTime, getLang, t } from "../../i18n.js";
import { errorBox, loading, pageHeading } from "../../ui.js";
import { matchingScreen, statusLine } from "./shared.js";

const POLL_MS = 30_000;

const unread = { count: null, asking: null, timer: null };

/** Forget the count (on sign-out: the next user's is asked for afresh). */
export function forgetNotifications() {
  unread.count = null;
  unread.asking = null;
}

function redrawLink() {
  const link = document.getElementById("notifications-link");
  if (link) replace(link, linkContent());
}

/** Ask the API for the unread count (once at a time) and redraw the header's link. */
export function refreshNotifications() {
  if (!session.get() || unread.asking) return unread.asking;
  unread.asking = api.notifications().then(
    (answer) => {
      unread.asking = null;
      if (!session.get()) return;
      unread.count = answer.unread;
      redrawLink();
    },
    () => {
      unread.asking = null;
    },
  );
  return unread.asking;
}

/** Start asking: now, on every route and every 30 seconds (called once by app.js). */
export function watchNotifications() {
  if (unread.timer) return;
  unread.timer = setInterval(refreshNotifications, POLL_MS);
  window.addEventListener("hashchange", () => setTimeout(refreshNotifications, 0));
  refreshNotifications();
}

function linkContent() {
  const count = unread.count || 0;
  return [
    t("nav.notifications"),
    count ? [" ", h("span", { class: "badge badge-unread", id: "notifications-unread", "aria-hidden": "true" }, String(count))] : null,
    h("span", { class: "visually-hidden" }, count ? ` ${t("matching.notifications.unread", { n: String(count) })}` : ` ${t("matching.notifications.none_unread")}`),
  ];
}

/** The header's link to the notifications, with the unread count (null when signed out). */
export function notificationsLink(current) {
  if (!session.get()) return null;
  return h("a", { href: "#/notifications", class: "tool-link", id: "notifications-link", "data-unread": String(unread.count || 0), "aria-current": current === "notifications" ? "page" : null }, linkContent());
}

// --- the page ----------------------------------------------------------------------------------

function target(notification) {
  return notification.ref_type === "deal" ? `#/deal/${encodeURIComponent(notification.ref_id)}` : `#/inquiry/${encodeURIComponent(notification.ref_id)}`;
}

async function load(screen, state, focus = null) {
  try {
    const answer = await api.notifications();
    state.items = answer.items;
    unread.count = answer.unread;
    redrawLink();
  } catch (error) {
    if (error.status === 401) return;
    state.error = error;
  }
  state.loading = false;
  screen.update({ focus });
}

async function markRead(screen, state, notification, follow = false) {
  if (notification.read) {
    if (follow) screen.ctx.navigate(target(notification));
    return;
  }
  try {
    await api.readNotification(notification.id);
    notification.read = true;
    unread.count = Math.max(0, (unread.count || 1) - 1);
    redrawLink();
    if (follow) {
      screen.ctx.navigate(target(notification));
      return;
    }
    state.message = () => t("matching.notifications.marked");
    screen.update({ focus: "notifications-status" });
  } catch (error) {
    if (error.status === 401) return;
    if (follow) {
      screen.ctx.navigate(target(notification));
      return;
    }
    state.error = error;
    screen.update({ focus: "notifications-error" });
  }
}

function item(screen, state, notification) {
  const text = getLang() === "ja" ? notification.text_ja || notification.text : notification.text || notification.text_ja;
  return h(
    "li",
    { class: ["notification", notification.read ? "read" : "unread"], "data-notification": notification.id, "data-kind": notification.kind, "data-read": String(notification.read),
      "data-ref": `${notification.ref_type}:${notification.ref_id}` },
    h("p", { class: "notification-meta" },
      notification.read ? null : [h("span", { class: "badge badge-unread" }, t("matching.notifications.new")), " "],
      h("time", { datetime: notification.created_at }, fmtDateTime(notification.created_at))),
    h("p", null, h("a", { href: target(notification), onclick: (event) => { event.preventDefault(); markRead(screen, state, notification, true); } }, text)),
    notification.read ? null : h("button", { type: "button", class: "secondary small", onclick: () => markRead(screen, state, notification) },
      t("matching.notifications.mark_read"), h("span", { class: "visually-hidden" }, ` (${fmtDateTime(notification.created_at)})`)),
  );
}

function render(screen, state) {
  const parts = [pageHeading(t("matching.notifications.title")), h("p", null, t("matching.notifications.intro")), statusLine("notifications-status", state.message)];
  if (state.error) parts.push(errorBox(state.error, { id: "notifications-error" }));
  if (state.loading) parts.push(loading());
  else if (!state.items.length) parts.push(h("p", { id: "notifications-empty" }, t("matching.notifications.empty")));
  else parts.push(h("ul", { class: "notifications", id: "notifications-list" }, state.items.map((notification) => item(screen, state, notification))));
  return h("section", { class: "matching notifications-page" }, parts);
}

export function notificationsView(ctx) {
  const state = { items: [], loading: true, error: null, message: null };
  const view = {
    titleKey: "matching.notifications.title",
    start: () => load(screen, state),
    render: () => render(screen, state),
  };
  const screen = matchingScreen(ctx, view);
  return view;
}
