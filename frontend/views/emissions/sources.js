// 排出源の登録 (sites and emission sources): the sites of the organisation with a form to
// add one, then the seed's registration table: one row per source (number, names, site,
// the four categories, factor and unit, identification basis, excluded with its reason,
// cogeneration, external supply, notes, the month it is retired from), "Add sources",
// "Temp. save" (drafts may be incomplete) and "Register" (the API checks completeness).
// A row's refusal is shown under it with the API's own message, the field it names
// highlighted, and listed in the summary at the top.

import { api } from "../../api.js";
import { h, vh } from "../../dom.js";
import { t } from "../../i18n.js";
import { clientError, dataTable, errorBody, errorBox, errorSummary, formField, loading, pageHeading } from "../../ui.js";
import { BASES, CATEGORIES, liveStatus, localName, scrollTable, unitsLike, UNIT_FAMILIES, userText } from "./shared.js";

const FIELDS = ["number", "name_ja", "name_en", "site_id", "categories", "factor_key", "unit", "basis", "basis_text", "excluded",
  "exclusion_reason", "cogeneration", "external_supply", "notes", "retired_from"];

// --- state -----------------------------------------------------------------------------------

function newState() {
  return {
    loading: true,
    loadError: null,
    sites: [],
    factors: [],
    rows: [],
    nextKey: 1,
    saving: false,
    message: null,
    summary: [],
    site: { name_ja: "", name_en: "", address: "", error: null, sending: false },
  };
}

/** The editable copy of a source (every value as the inputs hold it). */
function formOf(source) {
  return {
    number: String(source.number ?? ""),
    name_ja: source.name_ja || "",
    name_en: source.name_en || "",
    site_id: source.site_id || "",
    categories: [...(source.categories || [])],
    factor_key: source.factor_key || "",
    unit: source.unit || "",
    basis: source.basis || "",
    basis_text: source.basis_text || "",
    excluded: Boolean(source.excluded),
    exclusion_reason: source.exclusion_reason || "",
    cogeneration: Boolean(source.cogeneration),
    external_supply: Boolean(source.external_supply),
    notes: source.notes || "",
    retired_from: source.retired_from || "",
  };
}

function rowOf(state, source) {
  const form = formOf(source);
  return { key: state.nextKey++, source, form, original: JSON.stringify(form), error: null, confirmDelete: false };
}

function changed(row) {
  return !row.source || JSON.stringify(row.form) !== row.original;
}

/** The latest version of each factor key, by name. */
function factorChoices(factors) {
  const latest = new Map();
  for (const factor of factors) {
    const known = latest.get(factor.key);
    if (!known || factor.valid_from > known.valid_from) latest.set(factor.key, factor);
  }
  return [...latest.values()];
}

async function load(screen, state) {
  try {
    const [sites, sources, factors] = await Promise.all([api.sites(), api.sources(), api.factors()]);
    state.sites = sites.sites;
    state.factors = factorChoices(factors.factors);
    state.rows = sources.sources.map((source) => rowOf(state, source));
  } catch (error) {
    state.loadError = error;
  }
  state.loading = false;
  screen.update();
}

// --- actions ---------------------------------------------------------------------------------

function addRow(screen, state) {
  const numbers = state.rows.map((row) => Number(row.form.number) || 0);
  const row = rowOf(state, { number: Math.max(0, ...numbers) + 1, site_id: state.sites[0]?.id || "" });
  row.source = null;
  state.rows.push(row);
  state.message = null;
  screen.update({ focus: cellId(state.rows.length - 1, "name_ja") });
}

/** The request body for a row: null values for what is empty, the number as an integer. */
function bodyOf(row, status) {
  const f = row.form;
  const text = (value) => (value.trim() === "" ? null : value.trim());
  const body = {
    number: Number(f.number),
    status,
    site_id: f.site_id,
    name_ja: text(f.name_ja),
    name_en: text(f.name_en),
    categories: CATEGORIES.filter((category) => f.categories.includes(category)),
    factor_key: text(f.factor_key),
    unit: text(f.unit),
    basis: text(f.basis),
    basis_text: text(f.basis_text),
    excluded: f.excluded,
    exclusion_reason: text(f.exclusion_reason),
    cogeneration: f.cogeneration,
    external_supply: f.external_supply,
    notes: text(f.notes),
    retired_from: text(f.retired_from),
  };
  if (row.source) body.version = row.source.version;
  return body;
}

/** "Temp. save" (register = false) or "Register" (true): every changed row, and on Register every draft. */
async function save(screen, state, register) {
  if (state.saving) return;
  state.message = null;
  state.summary = [];
  const rows = state.rows.filter((row) => changed(row) || (register && row.source?.status === "draft"));
  for (const row of state.rows) row.error = null;
  rows.forEach((row) => {
    if (!/^\d{1,5}$/.test(row.form.number.trim()) || Number(row.form.number) < 1) row.error = { ...clientError("emissions.validation.number"), field: "number" };
    else if (!row.form.site_id) row.error = { ...clientError("emissions.validation.site"), field: "site_id" };
  });
  if (rows.some((row) => row.error)) {
    finishSave(screen, state, 0, register);
    return;
  }
  if (!rows.length) {
    state.message = () => t("sources.nothing_to_save");
    screen.update({ focus: "sources-status" });
    return;
  }
  state.saving = true;
  screen.update();
  let saved = 0;
  for (const row of rows) {
    const status = register || row.source?.status === "registered" ? "registered" : "draft";
    try {
      const result = row.source ? await api.updateSource(row.source.id, bodyOf(row, status)) : await api.createSource(bodyOf(row, status));
      row.source = result;
      row.form = formOf(result);
      row.original = JSON.stringify(row.form);
      saved += 1;
    } catch (error) {
      if (error.status === 401) return;
      row.error = error;
    }
  }
  state.saving = false;
  finishSave(screen, state, saved, register);
}

function finishSave(screen, state, saved, register) {
  const failed = state.rows.map((row, index) => ({ row, index })).filter(({ row }) => row.error);
  state.summary = failed.map(({ row, index }) => ({ field: cellId(index, errorField(row.error)), error: row.error }));
  if (saved) state.message = () => t(register ? "sources.registered" : "sources.saved", { n: String(saved) });
  screen.update({ focus: failed.length ? "error-summary" : "sources-status" });
}

async function removeRow(screen, state, index) {
  const row = state.rows[index];
  state.message = null;
  state.summary = [];
  if (row.source) {
    try {
      await api.deleteSource(row.source.id);
    } catch (error) {
      if (error.status === 401) return;
      row.error = error;
      row.confirmDelete = false;
      finishSave(screen, state, 0, false);
      return;
    }
  }
  state.rows.splice(index, 1);
  state.message = () => t("sources.deleted", { row: rowLabel(row, index) });
  screen.update({ focus: "sources-status" });
}

async function addSite(screen, state, event) {
  event.preventDefault();
  const site = state.site;
  if (site.sending) return;
  site.error = site.name_ja.trim() ? null : { ...clientError("validation.required"), field: "name_ja" };
  if (site.error) {
    screen.update({ focus: "site-name_ja" });
    return;
  }
  site.sending = true;
  screen.update();
  try {
    const created = await api.createSite({ name_ja: site.name_ja.trim(), name_en: site.name_en.trim() || null, address: site.address.trim() || null });
    state.sites.push(created);
    state.site = { name_ja: "", name_en: "", address: "", error: null, sending: false };
    state.message = () => t("sources.site_added", { name: localName(created) });
    screen.update({ focus: "sources-status" });
  } catch (error) {
    if (error.status === 401) return;
    site.error = error;
    site.sending = false;
    screen.update({ focus: `site-${["name_ja", "name_en", "address"].includes(error.field) ? error.field : "name_ja"}` });
  }
}

// --- rendering -------------------------------------------------------------------------------

function cellId(index, field) {
  return `src-${index}-${field === "categories" ? "cat-0" : field}`;
}

/** The field of the row an error is about: the API's field, else the first detail's, else the name. */
function errorField(error) {
  const field = error.field || error.details?.find((detail) => detail && detail.field)?.field || "name_ja";
  const base = String(field).split(".")[0];
  return FIELDS.includes(base) ? base : "name_ja";
}

function errorFields(error) {
  if (!error) return new Set();
  const fields = new Set([errorField(error)]);
  for (const detail of error.details || []) if (detail && FIELDS.includes(detail.field)) fields.add(detail.field);
  return fields;
}

function rowLabel(row, index) {
  return row.form.number ? t("sources.row_label", { n: row.form.number }) : t("sources.new_row_label", { n: String(index + 1) });
}

function sitesSection(screen, state) {
  const site = state.site;
  const fieldError = (name) => (site.error && (site.error.field === name || (name === "name_ja" && !["name_en", "address"].includes(site.error.field))) ? site.error : null);
  const input = (name, attrs = {}) => h("input", {
    id: `site-${name}`, name: `site-${name}`, type: "text", autocomplete: "off", value: site[name],
    oninput: (event) => { site[name] = event.target.value; }, ...attrs,
  });
  return h(
    "section",
    { class: "emissions-sites", "aria-labelledby": "sites-title" },
    h("h2", { id: "sites-title" }, t("sources.sites")),
    state.sites.length
      ? dataTable({
          caption: t("sources.sites"),
          captionHidden: true,
          id: "sites",
          columns: [{ label: t("sources.site_name_ja") }, { label: t("sources.site_name_en") }, { label: t("sources.site_address") }],
          rows: state.sites.map((item) => [userText(item.name_ja), item.name_en ? userText(item.name_en) : t("common.none"), item.address ? userText(item.address) : t("common.none")]),
        })
      : h("p", { id: "no-sites" }, t("sources.no_sites")),
    h(
      "details",
      { class: "add-site", open: site.error || site.name_ja || !state.sites.length ? true : null },
      h("summary", null, t("sources.add_site")),
      h(
        "form",
        { class: "inline-form", novalidate: true, onsubmit: (event) => addSite(screen, state, event) },
        formField({ label: t("sources.site_name_ja"), control: input("name_ja", { "aria-required": "true" }), error: fieldError("name_ja"), field: "name_ja" }),
        formField({ label: t("sources.site_name_en"), control: input("name_en"), optional: true, error: fieldError("name_en"), field: "name_en" }),
        formField({ label: t("sources.site_address"), control: input("address"), optional: true, error: fieldError("address"), field: "address" }),
        h("button", { type: "submit", id: "site-submit", disabled: site.sending }, t("sources.add_site_submit")),
      ),
    ),
  );
}

function columns() {
  return [
    "number", "name_ja", "name_en", "site_id", "cat-0", "cat-1", "cat-2", "cat-3", "factor_key", "unit", "basis", "basis_text",
    "excluded", "exclusion_reason", "cogeneration", "external_supply", "notes", "retired_from", "status", "delete",
  ];
}

function columnLabel(column) {
  if (column.startsWith("cat-")) return t(`category.${CATEGORIES[Number(column.slice(4))]}`);
  return t(`sources.col.${column}`);
}

function sourceRow(screen, state, row, index) {
  const f = row.form;
  const label = rowLabel(row, index);
  const invalid = errorFields(row.error);
  const errorId = `src-${index}-error`;
  const named = (column) => `${columnLabel(column)} (${label})`;
  const common = (field, column = field) => ({
    id: cellId(index, column === field ? field : column),
    name: `src-${index}-${column}`,
    "aria-label": named(column),
    "aria-invalid": invalid.has(field) ? "true" : null,
    "aria-describedby": invalid.has(field) ? errorId : null,
  });
  const text = (field, attrs = {}) => h("input", { ...common(field), type: "text", autocomplete: "off", value: f[field], oninput: (event) => { f[field] = event.target.value; }, ...attrs });
  const check = (field) => h("input", { ...common(field), type: "checkbox", checked: f[field], onchange: (event) => { f[field] = event.target.checked; } });
  const factor = state.factors.find((item) => item.key === f.factor_key);
  const units = factor ? unitsLike(factor.unit) : UNIT_FAMILIES.flat();
  const inUse = Boolean(row.source?.in_use);
  const cells = {
    number: text("number", { inputmode: "numeric", class: "narrow", "aria-required": "true" }),
    name_ja: text("name_ja", { class: "name" }),
    name_en: text("name_en", { class: "name" }),
    site_id: h("select", { ...common("site_id"), value: f.site_id, onchange: (event) => { f.site_id = event.target.value; } },
      h("option", { value: "" }, t("sources.choose")),
      state.sites.map((site) => h("option", { value: site.id }, localName(site)))),
    factor_key: h("select", {
      ...common("factor_key"), value: f.factor_key,
      onchange: (event) => {
        f.factor_key = event.target.value;
        const chosen = state.factors.find((item) => item.key === f.factor_key);
        if (chosen && !unitsLike(chosen.unit).includes(f.unit)) f.unit = chosen.unit;
        screen.update();
      },
    }, h("option", { value: "" }, t("sources.choose")), state.factors.map((item) => h("option", { value: item.key }, `${localName(item)} (${item.unit})`))),
    unit: h("select", { ...common("unit"), value: f.unit, onchange: (event) => { f.unit = event.target.value; } },
      h("option", { value: "" }, t("sources.choose")), units.map((unit) => h("option", { value: unit }, unit))),
    basis: h("select", { ...common("basis"), value: f.basis, onchange: (event) => { f.basis = event.target.value; screen.update(); } },
      h("option", { value: "" }, t("sources.choose")), BASES.map((basis) => h("option", { value: basis }, t(`basis.${basis}`)))),
    basis_text: text("basis_text", { class: "name", disabled: f.basis !== "other" && !f.basis_text }),
    excluded: check("excluded"),
    exclusion_reason: text("exclusion_reason", { class: "name" }),
    cogeneration: check("cogeneration"),
    external_supply: check("external_supply"),
    notes: text("notes", { class: "name" }),
    retired_from: text("retired_from", { class: "month", placeholder: "YYYY-MM", inputmode: "numeric", "aria-describedby": invalid.has("retired_from") ? `${errorId} retired-hint` : "retired-hint" }),
    status: h("span", { class: ["badge", `badge-source-${row.source ? row.source.status : "new"}`], id: `src-${index}-status` },
      t(`sources.status.${row.source ? row.source.status : "new"}`), inUse ? h("span", { class: "in-use" }, ` ${t("sources.in_use")}`) : null),
    delete: row.confirmDelete
      ? h("span", { class: "confirm-delete" },
          h("button", { type: "button", class: "small danger", id: `src-${index}-delete-confirm`, onclick: () => removeRow(screen, state, index) }, t("sources.delete_confirm"), vh(` (${label})`)),
          h("button", { type: "button", class: "small secondary", id: `src-${index}-delete-cancel`, onclick: () => { row.confirmDelete = false; screen.update({ focus: `src-${index}-delete` }); } }, t("sources.delete_cancel"), vh(` (${label})`)))
      : h("button", {
          type: "button", class: "small secondary", id: `src-${index}-delete`, disabled: inUse,
          "aria-describedby": inUse ? "in-use-hint" : null,
          onclick: () => {
            if (!row.source) {
              removeRow(screen, state, index);
              return;
            }
            row.confirmDelete = true;
            screen.update({ focus: `src-${index}-delete-confirm` });
          },
        }, t("sources.delete"), vh(` (${label})`)),
  };
  CATEGORIES.forEach((category, position) => {
    const column = `cat-${position}`;
    cells[column] = h("input", {
      ...common("categories", column), type: "checkbox", checked: f.categories.includes(category),
      onchange: (event) => {
        f.categories = event.target.checked ? [...new Set([...f.categories, category])] : f.categories.filter((item) => item !== category);
      },
    });
  });
  const rows = [
    h("tr", { "data-source": row.source?.id || null, "data-number": f.number, class: [row.error && "has-error", !row.source && "new-row"] },
      columns().map((column) => (column === "number" ? h("th", { scope: "row", class: "num" }, cells[column]) : h("td", { class: ["checkbox", "cat-0", "cat-1", "cat-2", "cat-3", "excluded", "cogeneration", "external_supply"].includes(column) ? "check" : null }, cells[column])))),
  ];
  if (row.error) {
    rows.push(h("tr", { class: "row-error" }, h("td", { colspan: String(columns().length) },
      h("p", { class: "field-error", id: errorId, "data-error-for": `src-${index}`, "data-error-code": row.error.code || null }, vh(`${label}: `), errorBody(row.error)))));
  }
  return rows;
}

function sourcesTable(screen, state) {
  const head = [
    [
      { label: t("sources.col.number"), rowspan: 2 }, { label: t("sources.col.name_ja"), rowspan: 2 }, { label: t("sources.col.name_en"), rowspan: 2 },
      { label: t("sources.col.site_id"), rowspan: 2 }, { label: t("sources.col.categories"), colspan: 4, scope: "colgroup" },
      ...["factor_key", "unit", "basis", "basis_text", "excluded", "exclusion_reason", "cogeneration", "external_supply", "notes", "retired_from", "status", "delete"]
        .map((column) => ({ label: t(`sources.col.${column}`), rowspan: 2 })),
    ],
    CATEGORIES.map((category, position) => ({ label: h("span", { title: t(`category.${category}`) }, String(position + 1), vh(` ${t(`category.${category}`)}`)) })),
  ];
  return scrollTable({
    id: "sources-table",
    caption: t("sources.table_caption"),
    className: "sources-table",
    head,
    body: state.rows.map((row, index) => sourceRow(screen, state, row, index)),
  });
}

export function sourcesView(ctx) {
  const state = newState();
  const view = {
    titleKey: "sources.title",
    start: () => load(screen, state),
    render: () => render(screen, state),
  };
  const screen = Object.freeze({ ctx, update: (options) => ctx.update(view, options) });
  return view;
}

function render(screen, state) {
  const parts = [pageHeading(t("sources.title"), t("sources.subtitle"))];
  if (state.loadError) parts.push(errorBox(state.loadError, { id: "sources-error" }));
  else if (state.loading) parts.push(loading());
  else {
    parts.push(
      liveStatus("sources-status", state.message),
      errorSummary(state.summary),
      sitesSection(screen, state),
      h("h2", { id: "sources-title" }, t("sources.table_title")),
      h("p", { class: "hint", id: "sources-hint" }, t("sources.hint")),
      h("ol", { class: "category-legend hint", "aria-label": t("sources.col.categories") },
        CATEGORIES.map((category) => h("li", null, t(`category.${category}`)))),
      state.rows.length ? sourcesTable(screen, state) : h("p", { id: "no-sources" }, t("sources.no_sources")),
      h("p", { class: "hint", id: "retired-hint" }, t("sources.retired_hint")),
      h("p", { class: "hint", id: "in-use-hint" }, t("sources.in_use_hint")),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", id: "add-source", class: "secondary", disabled: state.saving || !state.sites.length, onclick: () => addRow(screen, state) }, t("sources.add_row")),
        h("button", { type: "button", id: "temp-save", disabled: state.saving, onclick: () => save(screen, state, false) }, t("sources.temp_save")),
        h("button", { type: "button", id: "register", class: "primary", disabled: state.saving, onclick: () => save(screen, state, true) }, t("sources.register")),
        state.saving ? h("span", { class: "loading", role: "status" }, t("sources.saving")) : null,
      ),
    );
  }
  return h("section", { class: "emissions sources" }, parts);
}
