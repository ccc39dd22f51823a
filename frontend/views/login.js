// Sign-in, and the first sign-in's new password (Cognito's NEW_PASSWORD_REQUIRED: the
// login answers PASSWORD_CHANGE_REQUIRED with a session, POST /auth/new-password uses it).
// Errors are shown in the chosen language; a notice says why the user is here after an
// expiry or a logout. Passwords and the challenge session live only in this view's memory.

import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { clientError, errorBox, errorSummary, formField, pageHeading } from "../ui.js";

const MIN_PASSWORD = 12;

export function loginView(ctx) {
  const state = {
    mode: "login",
    username: "",
    password: "",
    newPassword: "",
    confirmPassword: "",
    challenge: null,
    busy: false,
    error: null,
    errors: {},
    notice: ctx.notice(),
  };

  function fail(error, fields) {
    state.busy = false;
    if (fields.includes(error.field)) state.errors[error.field] = error;
    else state.error = error;
    state.notice = null;
    ctx.update(view, { focus: state.error ? "login-error" : "error-summary" });
  }

  async function signIn(event) {
    event.preventDefault();
    if (state.busy) return;
    state.error = null;
    state.errors = {};
    if (!state.username.trim()) state.errors.username = clientError("validation.required");
    if (!state.password) state.errors.password = clientError("validation.required");
    if (Object.keys(state.errors).length) {
      ctx.update(view, { focus: "error-summary" });
      return;
    }
    state.busy = true;
    ctx.update(view);
    const password = state.password;
    state.password = "";
    try {
      ctx.startSession(await api.login(state.username.trim(), password));
    } catch (error) {
      const challenge = error.code === "PASSWORD_CHANGE_REQUIRED" ? error.details.find((detail) => detail && detail.session)?.session : null;
      if (challenge) {
        Object.assign(state, { mode: "new-password", challenge, busy: false, notice: null, newPassword: "", confirmPassword: "" });
        ctx.update(view, { focus: "page-title" });
        return;
      }
      fail(error, ["username", "password"]);
    }
  }

  async function setPassword(event) {
    event.preventDefault();
    if (state.busy) return;
    state.error = null;
    state.errors = {};
    if (!state.newPassword) state.errors.new_password = clientError("validation.required");
    else if ([...state.newPassword].length < MIN_PASSWORD) state.errors.new_password = clientError("validation.password_length");
    else if (state.confirmPassword !== state.newPassword) state.errors.confirm_password = clientError("validation.password_match");
    if (Object.keys(state.errors).length) {
      ctx.update(view, { focus: "error-summary" });
      return;
    }
    state.busy = true;
    ctx.update(view);
    try {
      const tokens = await api.newPassword(state.username.trim(), state.challenge, state.newPassword);
      state.challenge = null;
      ctx.startSession(tokens);
    } catch (error) {
      state.newPassword = "";
      state.confirmPassword = "";
      fail(error, ["new_password"]);
    }
  }

  function backToLogin() {
    Object.assign(state, { mode: "login", challenge: null, newPassword: "", confirmPassword: "", error: null, errors: {}, busy: false });
    ctx.update(view, { focus: "page-title" });
  }

  function passwordInput(id, key, autocomplete) {
    return h("input", {
      id, name: id, type: "password", autocomplete, value: state[key], required: true,
      oninput: (event) => { state[key] = event.target.value; },
    });
  }

  function renderLogin() {
    const username = h("input", {
      id: "username", name: "username", type: "text", autocomplete: "username", autocapitalize: "none",
      spellcheck: "false", value: state.username, required: true,
      oninput: (event) => { state.username = event.target.value; },
    });
    return [
      pageHeading(t("login.title")),
      state.notice
        ? h("p", { class: `notice notice-${state.notice}`, role: "status", id: "notice", tabindex: "-1" }, t(`notice.${state.notice}`))
        : null,
      h("p", null, t("login.intro")),
      errorSummary(Object.entries(state.errors).map(([field, error]) => ({ field, error }))),
      state.error ? errorBox(state.error, { id: "login-error" }) : null,
      h(
        "form",
        { novalidate: true, onsubmit: signIn, class: "login-form" },
        formField({ label: t("login.username"), control: username, error: state.errors.username, field: "username" }),
        formField({ label: t("login.password"), control: passwordInput("password", "password", "current-password"), error: state.errors.password, field: "password" }),
        h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", id: "login-submit", disabled: state.busy }, state.busy ? t("login.busy") : t("login.submit"))),
      ),
      h("p", { class: "hint" }, h("a", { href: "#/help" }, t("login.help"))),
    ];
  }

  function renderNewPassword() {
    return [
      pageHeading(t("newpw.title")),
      h("p", null, t("newpw.intro")),
      errorSummary(Object.entries(state.errors).map(([field, error]) => ({ field, error }))),
      state.error ? errorBox(state.error, { id: "login-error" }) : null,
      h(
        "form",
        { novalidate: true, onsubmit: setPassword, class: "login-form" },
        // The username, for password managers to store the new password under.
        h("input", { type: "text", name: "username", autocomplete: "username", value: state.username.trim(), hidden: true, readonly: true }),
        formField({
          label: t("newpw.new"), hint: t("newpw.policy"), control: passwordInput("new_password", "newPassword", "new-password"),
          error: state.errors.new_password, field: "new_password",
        }),
        formField({
          label: t("newpw.confirm"), control: passwordInput("confirm_password", "confirmPassword", "new-password"),
          error: state.errors.confirm_password, field: "confirm_password",
        }),
        h(
          "div",
          { class: "actions" },
          h("button", { type: "submit", class: "primary", id: "new-password-submit", disabled: state.busy }, state.busy ? t("newpw.busy") : t("newpw.submit")),
          h("button", { type: "button", class: "secondary", id: "new-password-cancel", disabled: state.busy, onclick: backToLogin }, t("newpw.cancel")),
        ),
      ),
    ];
  }

  const view = {
    isLogin: true,
    title: () => t(state.mode === "login" ? "login.title" : "newpw.title"),
    restart() {
      Object.assign(state, { mode: "login", challenge: null, busy: false, notice: ctx.notice() });
    },
    render() {
      return h("section", { class: "login panel", "data-mode": state.mode }, state.mode === "login" ? renderLogin() : renderNewPassword());
    },
  };
  return view;
}
