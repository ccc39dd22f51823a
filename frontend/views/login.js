// Sign-in, and the steps Cognito may ask for after the password:
// - the first sign-in's new password (PASSWORD_CHANGE_REQUIRED -> POST /auth/new-password);
// - the authenticator's code (MFA_REQUIRED -> POST /auth/mfa);
// - an administrator's enrolment of an authenticator (MFA_SETUP_REQUIRED carries the key
//   -> POST /auth/mfa/setup with its first code, then a new sign-in with a code).
// Errors are shown in the chosen language; a notice says why the user is here after an
// expiry or a logout. Passwords and the challenge session live only in this view's memory.

import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { clientError, errorBox, errorSummary, formField, pageHeading } from "../ui.js";

const MIN_PASSWORD = 12;
const CODE = /^[0-9]{6}$/;
const TITLES = { login: "login.title", "new-password": "newpw.title", mfa: "mfa.title", "mfa-setup": "mfasetup.title" };
/** What to do next, for the refusals the user cannot resolve on this page. */
const HINTS = { PASSWORD_CHANGE_REQUIRED: "login.contact_hint" };

function detail(error, key) {
  return (error.details || []).find((item) => item && item[key])?.[key] || null;
}

export function loginView(ctx) {
  const state = {
    mode: "login",
    username: "",
    password: "",
    newPassword: "",
    confirmPassword: "",
    challenge: null,
    code: "",
    secret: null,
    otpauth: null,
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
      if (!nextStep(error)) fail(error, ["username", "password"]);
    }
  }

  // The step Cognito asks for next, if the error is one; false otherwise.
  function nextStep(error) {
    const mode = { PASSWORD_CHANGE_REQUIRED: "new-password", MFA_REQUIRED: "mfa", MFA_SETUP_REQUIRED: "mfa-setup" }[error.code];
    const challenge = mode ? detail(error, "session") : null;
    if (!challenge) return false;
    Object.assign(state, {
      mode, challenge, busy: false, notice: null, error: null, errors: {}, newPassword: "", confirmPassword: "", code: "",
      secret: detail(error, "secret_code"), otpauth: detail(error, "otpauth_uri"),
    });
    ctx.update(view, { focus: "page-title" });
    return true;
  }

  function checkCode() {
    state.error = null;
    state.errors = {};
    const code = state.code.trim();
    if (!code) state.errors.code = clientError("validation.required");
    else if (!CODE.test(code)) state.errors.code = clientError("validation.code");
    if (Object.keys(state.errors).length) {
      ctx.update(view, { focus: "error-summary" });
      return null;
    }
    return code;
  }

  // The code forms: check the code in the page, send it, and on AUTH_FAILED (the
  // challenge session expired or was used) start again from the password.
  async function submitCode(event, send) {
    event.preventDefault();
    if (state.busy) return;
    const code = checkCode();
    if (!code) return;
    state.busy = true;
    ctx.update(view);
    try {
      await send(code);
    } catch (error) {
      state.code = "";
      if (error.code === "AUTH_FAILED") {
        backToLogin();
        state.notice = "mfa_expired";
        ctx.update(view, { focus: "notice" });
        return;
      }
      if (!nextStep(error)) fail(error, ["code"]);
    }
  }

  function giveCode(event) {
    return submitCode(event, async (code) => {
      const tokens = await api.mfa(state.username.trim(), state.challenge, code);
      state.challenge = null;
      ctx.startSession(tokens);
    });
  }

  function enrol(event) {
    return submitCode(event, async (code) => {
      await api.mfaSetup(state.challenge, code);
      backToLogin();
      state.notice = "mfa_enrolled";
      ctx.update(view, { focus: "notice" });
    });
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
      if (!nextStep(error)) fail(error, ["new_password"]);
    }
  }

  function backToLogin() {
    Object.assign(state, {
      mode: "login", challenge: null, newPassword: "", confirmPassword: "", code: "", secret: null, otpauth: null,
      error: null, errors: {}, busy: false,
    });
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
      state.error ? errorBox(state.error, { id: "login-error", hints: HINTS }) : null,
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
      state.error ? errorBox(state.error, { id: "login-error", hints: HINTS }) : null,
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

  function codeInput() {
    return h("input", {
      id: "code", name: "code", type: "text", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}",
      maxlength: 6, value: state.code, required: true,
      oninput: (event) => { state.code = event.target.value; },
    });
  }

  function codeForm(onsubmit, prefix) {
    return h(
      "form",
      { novalidate: true, onsubmit, class: "login-form" },
      formField({ label: t("mfa.code"), hint: t("mfa.code_hint"), control: codeInput(), error: state.errors.code, field: "code" }),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "submit", class: "primary", id: `${prefix}-submit`, disabled: state.busy }, state.busy ? t(`${prefix}.busy`) : t(`${prefix}.submit`)),
        h("button", { type: "button", class: "secondary", id: `${prefix}-cancel`, disabled: state.busy, onclick: backToLogin }, t("newpw.cancel")),
      ),
    );
  }

  function renderMfa() {
    return [
      pageHeading(t("mfa.title")),
      h("p", null, t("mfa.intro")),
      errorSummary(Object.entries(state.errors).map(([field, error]) => ({ field, error }))),
      state.error ? errorBox(state.error, { id: "login-error", hints: HINTS }) : null,
      codeForm(giveCode, "mfa"),
    ];
  }

  function renderMfaSetup() {
    return [
      pageHeading(t("mfasetup.title")),
      h("p", null, t("mfasetup.intro")),
      h("ol", { class: "steps-list" },
        h("li", null, t("mfasetup.step_key"), " ",
          h("code", { id: "mfa-secret", class: "secret", translate: "no" }, state.secret || ""),
          state.otpauth ? [" ", h("a", { href: state.otpauth, id: "mfa-link" }, t("mfasetup.link"))] : null),
        h("li", null, t("mfasetup.step_code"))),
      errorSummary(Object.entries(state.errors).map(([field, error]) => ({ field, error }))),
      state.error ? errorBox(state.error, { id: "login-error", hints: HINTS }) : null,
      codeForm(enrol, "mfasetup"),
    ];
  }

  const RENDER = { login: renderLogin, "new-password": renderNewPassword, mfa: renderMfa, "mfa-setup": renderMfaSetup };

  const view = {
    isLogin: true,
    title: () => t(TITLES[state.mode]),
    restart() {
      Object.assign(state, { mode: "login", challenge: null, code: "", secret: null, otpauth: null, busy: false, notice: ctx.notice() });
    },
    render() {
      return h("section", { class: "login panel", "data-mode": state.mode }, RENDER[state.mode]());
    },
  };
  return view;
}
