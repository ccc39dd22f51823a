// The API client: the base URL comes from /config.json (written when the stack starts),
// the session (Cognito tokens from POST /auth/login) lives in sessionStorage, and every
// failure becomes an ApiError carrying the API's {code, message, message_ja, field, details}.
// A failure that brings no such body gets one of PORTAL_ERRORS as its code instead.

const SESSION_KEY = "jvets.session";

let config = null;
let unauthorizedHandler = () => {};

export async function loadConfig() {
  const response = await fetch("/config.json", { cache: "no-store", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`config.json answered ${response.status}`);
  const loaded = await response.json();
  if (!loaded || typeof loaded.apiUrl !== "string" || loaded.apiUrl === "") throw new Error("config.json has no apiUrl");
  config = Object.freeze({ ...loaded, apiUrl: loaded.apiUrl.replace(/\/+$/, "") });
  return config;
}

export function getConfig() {
  return config;
}

/** Called for a 401 on an authenticated call whose token is still the session's. */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

/**
 * The codes the portal gives a failure that carries no error body of the API, so that
 * its text comes from the dictionaries ("error.<CODE>") and never repeats an API code:
 * - CONFIG_UNAVAILABLE: /config.json could not be loaded (no API address);
 * - NETWORK_ERROR: no answer at all (fetch failed: offline, DNS, CORS, connection lost);
 * - SIGNED_OUT: no session to send, or a 401 without our body (chalice local's bare
 *   {"message": "Unauthorized"});
 * - GATEWAY_ERROR: a 5xx without our body (API Gateway's timeout, a Lambda crash);
 * - UNEXPECTED_RESPONSE: any other answer without our body, or a success that is not JSON.
 */
export const PORTAL_ERRORS = Object.freeze(["CONFIG_UNAVAILABLE", "NETWORK_ERROR", "SIGNED_OUT", "GATEWAY_ERROR", "UNEXPECTED_RESPONSE"]);

export class ApiError extends Error {
  constructor(status, error = {}, retryAfter = null) {
    super(error.message || error.code || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || "UNKNOWN";
    this.apiMessage = error.message || "";
    this.apiMessageJa = error.message_ja || "";
    this.field = error.field || null;
    this.details = Array.isArray(error.details) ? error.details : [];
    this.retryAfter = retryAfter;
  }

  /** Worth sending again unchanged (with the same Idempotency-Key)? */
  get retryable() {
    return this.status === 0 || this.status >= 500;
  }
}

// --- session ---------------------------------------------------------------------------

export const session = {
  get() {
    try {
      const stored = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
      return stored && typeof stored.idToken === "string" ? stored : null;
    } catch {
      return null;
    }
  },
  /** Store a token response from /auth/login or /auth/refresh. */
  start(tokens, previous = null) {
    const value = {
      idToken: tokens.id_token,
      accessToken: tokens.access_token || previous?.accessToken || null,
      refreshToken: tokens.refresh_token || previous?.refreshToken || null,
      expiresAt: Date.now() + Number(tokens.expires_in || 0) * 1000,
      user: tokens.user || previous?.user || null,
    };
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(value));
    return value;
  },
  clear() {
    sessionStorage.removeItem(SESSION_KEY);
  },
  expired(value = session.get()) {
    return !value || !(Number(value.expiresAt) > Date.now());
  },
};

// --- requests ----------------------------------------------------------------------------

/**
 * request("GET", "/me") -> the parsed JSON body; throws ApiError.
 * Options: body (sent as JSON), auth (default true), headers, query ({name: value}).
 */
export async function request(method, path, { body, auth = true, headers = {}, query = null } = {}) {
  if (config === null) throw new ApiError(0, { code: "CONFIG_UNAVAILABLE" });
  const sent = { Accept: "application/json", ...headers };
  if (body !== undefined) sent["Content-Type"] = "application/json";
  let token = null;
  if (auth) {
    // No session (signed out meanwhile): refuse here; the page has already moved on.
    token = session.get()?.idToken ?? null;
    if (token === null) throw new ApiError(401, { code: "SIGNED_OUT" });
    sent.Authorization = `Bearer ${token}`;
  }
  let url = config.apiUrl + path;
  if (query) {
    const parameters = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== null && value !== undefined && value !== "") parameters.set(name, String(value));
    }
    const text = parameters.toString();
    if (text) url += `?${text}`;
  }
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new ApiError(0, { code: "NETWORK_ERROR" });
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = new ApiError(
      response.status,
      data && data.error && typeof data.error.code === "string"
        ? data.error
        : { code: response.status === 401 ? "SIGNED_OUT" : response.status >= 500 ? "GATEWAY_ERROR" : "UNEXPECTED_RESPONSE" },
      response.headers.get("Retry-After"),
    );
    // Only a refusal of the token still in use ends the session (not one from before a new login).
    if (auth && response.status === 401 && session.get()?.idToken === token) unauthorizedHandler(error);
    throw error;
  }
  if (data === null) throw new ApiError(response.status, { code: "UNEXPECTED_RESPONSE" });
  return data;
}

export const api = {
  login: (username, password) => request("POST", "/auth/login", { body: { username, password }, auth: false }),
  mfa: (username, challenge, code) =>
    request("POST", "/auth/mfa", { body: { username, session: challenge, code }, auth: false }),
  mfaSetup: (challenge, code) => request("POST", "/auth/mfa/setup", { body: { session: challenge, code }, auth: false }),
  newPassword: (username, challenge, newPassword) =>
    request("POST", "/auth/new-password", { body: { username, session: challenge, new_password: newPassword }, auth: false }),
  refresh: (refreshToken) => request("POST", "/auth/refresh", { body: { refresh_token: refreshToken }, auth: false }),
  logout: (accessToken) => request("POST", "/auth/logout", { body: { access_token: accessToken } }),
  me: () => request("GET", "/me"),
  market: () => request("GET", "/market", { auth: false }),
  holder: (account) => request("GET", `/accounts/${encodeURIComponent(account)}/holder`),
  balance: (account, query) => request("GET", `/accounts/${encodeURIComponent(account)}/balance`, query ? { query } : undefined),
  history: (account, query) => request("GET", `/accounts/${encodeURIComponent(account)}/transactions`, { query }),
  transaction: (id) => request("GET", `/transactions/${encodeURIComponent(id)}`),
  transfer: (body, key) => request("POST", "/transfers", { body, headers: { "Idempotency-Key": key } }),
  retire: (body, key) => request("POST", "/retirements", { body, headers: { "Idempotency-Key": key } }),
  // Emissions management (amounts and quantities travel as decimal strings).
  sites: () => request("GET", "/emissions/sites"),
  createSite: (body) => request("POST", "/emissions/sites", { body }),
  sources: () => request("GET", "/emissions/sources"),
  createSource: (body) => request("POST", "/emissions/sources", { body }),
  updateSource: (id, body) => request("PUT", `/emissions/sources/${encodeURIComponent(id)}`, { body }),
  deleteSource: (id) => request("DELETE", `/emissions/sources/${encodeURIComponent(id)}`),
  factors: () => request("GET", "/emissions/factors"),
  monitoring: (fiscalYear) => request("GET", "/emissions/monitoring", { query: { fiscal_year: fiscalYear } }),
  putMonitoring: (id, month, body) =>
    request("PUT", `/emissions/sources/${encodeURIComponent(id)}/monitoring/${encodeURIComponent(month)}`, { body }),
  calculation: (fiscalYear) => request("GET", "/emissions/calculation", { query: { fiscal_year: fiscalYear } }),
  sheet: (fiscalYear) => request("GET", `/emissions/sheets/${encodeURIComponent(fiscalYear)}`),
  // Documents: announce, then send the file with the presigned form (uploadForm), then poll.
  announceDocument: (body) => request("POST", "/documents", { body }),
  document: (id) => request("GET", `/documents/${encodeURIComponent(id)}`),
  // Calculation reports and their verification.
  reports: (query) => request("GET", "/emissions/reports", query ? { query } : undefined),
  report: (id) => request("GET", `/emissions/reports/${encodeURIComponent(id)}`),
  createReport: (fiscalYear) => request("POST", "/emissions/reports", { body: { fiscal_year: fiscalYear } }),
  submitReport: (id, version) => request("POST", `/emissions/reports/${encodeURIComponent(id)}/submit`, { body: { version } }),
  recallReport: (id, reason, version) =>
    request("POST", `/emissions/reports/${encodeURIComponent(id)}/recall`, { body: { version, ...(reason ? { reason } : {}) } }),
  requestCancellation: (id, reason, version) =>
    request("POST", `/emissions/reports/${encodeURIComponent(id)}/cancellation-requests`, { body: { reason, version } }),
  reportFile: (id, name, version) =>
    request("GET", `/emissions/reports/${encodeURIComponent(id)}/files/${encodeURIComponent(name)}`, { query: { version } }),
  reportEvidence: (id, version) => request("GET", `/emissions/reports/${encodeURIComponent(id)}/evidence`, { query: { version } }),
  beginVerification: (id) => request("POST", `/emissions/reports/${encodeURIComponent(id)}/verification/begin`, { body: {} }),
  returnReport: (id, reason) => request("POST", `/emissions/reports/${encodeURIComponent(id)}/verification/return`, { body: { reason } }),
  recordOpinion: (id, body) => request("POST", `/emissions/reports/${encodeURIComponent(id)}/verification/opinion`, { body }),
  workingPaper: (id, body) => request("POST", `/emissions/reports/${encodeURIComponent(id)}/working-papers`, { body }),
  workingPapers: (id) => request("GET", `/emissions/reports/${encodeURIComponent(id)}/working-papers`),
  reviewReport: (id, body) => request("POST", `/emissions/reports/${encodeURIComponent(id)}/review`, { body }),
  decideCancellation: (id, body) => request("POST", `/emissions/reports/${encodeURIComponent(id)}/cancellation-requests/decision`, { body }),
  // Compliance: phases, true-up results and the phase report.
  phases: () => request("GET", "/phases"),
  phase: (id) => request("GET", `/phases/${encodeURIComponent(id)}`),
  trueUp: (id) => request("GET", `/phases/${encodeURIComponent(id)}/true-up`),
  phaseReport: (id) => request("GET", `/phases/${encodeURIComponent(id)}/report`),
  overdue: (id) => request("GET", `/phases/${encodeURIComponent(id)}/overdue`),
  // The trade matching notice board (prices in yen per t-CO2, quantities in t-CO2, integers).
  listings: (query) => request("GET", "/listings", { query }),
  listing: (id) => request("GET", `/listings/${encodeURIComponent(id)}`),
  createListing: (body, key) => request("POST", "/listings", { body, headers: { "Idempotency-Key": key } }),
  updateListing: (id, body) => request("PATCH", `/listings/${encodeURIComponent(id)}`, { body }),
  withdrawListing: (id) => request("POST", `/listings/${encodeURIComponent(id)}/withdraw`, { body: {} }),
  inquire: (id, body) => request("POST", `/listings/${encodeURIComponent(id)}/inquiries`, { body }),
  inquiries: (query) => request("GET", "/inquiries", { query }),
  inquiry: (id) => request("GET", `/inquiries/${encodeURIComponent(id)}`),
  sendMessage: (id, body) => request("POST", `/inquiries/${encodeURIComponent(id)}/messages`, { body }),
  propose: (body) => request("POST", "/deals", { body }),
  deals: (query) => request("GET", "/deals", { query }),
  deal: (id) => request("GET", `/deals/${encodeURIComponent(id)}`),
  dealAction: (id, action, body = {}) => request("POST", `/deals/${encodeURIComponent(id)}/${action}`, { body }),
  statistics: (query) => request("GET", "/market/statistics", { query }),
  notifications: (query) => request("GET", "/notifications", { query }),
  readNotification: (id) => request("POST", `/notifications/${encodeURIComponent(id)}/read`, { body: {} }),
  trusted: (account) => request("GET", `/accounts/${encodeURIComponent(account)}/trusted`),
  addTrusted: (account, receiver) => request("POST", `/accounts/${encodeURIComponent(account)}/trusted`, { body: { account: receiver } }),
  removeTrusted: (account, receiver) =>
    request("DELETE", `/accounts/${encodeURIComponent(account)}/trusted/${encodeURIComponent(receiver)}`),
  delayedTransfers: () => request("GET", "/delayed-transfers"),
  cancelDelayed: (id) => request("POST", `/delayed-transfers/${encodeURIComponent(id)}/cancel`),
  proposals: () => request("GET", "/proposals"),
  proposal: (id) => request("GET", `/proposals/${encodeURIComponent(id)}`),
  approveProposal: (id, reason) => request("POST", `/proposals/${encodeURIComponent(id)}/approve`, { body: { reason } }),
  rejectProposal: (id, reason) => request("POST", `/proposals/${encodeURIComponent(id)}/reject`, { body: { reason } }),
};

/**
 * Send a file with the presigned POST form of POST /documents (straight to the bucket,
 * never through the API). Resolves when the bucket took it; throws ApiError otherwise
 * (NETWORK_ERROR, or UNEXPECTED_RESPONSE for a refusal: the bucket's answer is not ours).
 */
export async function uploadForm(upload, file) {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append("file", file);
  let response;
  try {
    response = await fetch(upload.url, { method: "POST", body: form, credentials: "omit", cache: "no-store" });
  } catch {
    throw new ApiError(0, { code: "NETWORK_ERROR" });
  }
  if (!response.ok) throw new ApiError(response.status, { code: response.status >= 500 ? "GATEWAY_ERROR" : "UNEXPECTED_RESPONSE" });
}

/** A fresh Idempotency-Key (a UUID: 36 characters of [0-9a-f-]). */
export function newIdempotencyKey() {
  if (globalThis.crypto && typeof globalThis.crypto.randomUUID === "function") return globalThis.crypto.randomUUID();
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
