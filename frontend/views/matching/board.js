// The notice board (取引掲示板): the open listings, without the lister's name, filtered by
// side, unit type and price range, sorted by price or date and paged by next_cursor.

import { api } from "../../api.js";
import { h } from "../../dom.js";
import { fmtDate, fmtNumber, t } from "../../i18n.js";
import { clientError, dataTable, errorBox, errorSummary, formField, loading, pageHeading } from "../../ui.js";
import { fmtPrice, isMine, matchingScreen, normalizeDigits, openQuantity, PAGE_SIZE, sideBadge, SIDES, SORTS, unitLabel, UNIT_TYPES } from "./shared.js";

/** The board's orders as GET /listings takes them: [sort, order]. */
const SORT_QUERY = Object.freeze({ price_asc: ["price", "asc"], price_desc: ["price", "desc"], newest: ["date", "desc"], oldest: ["date", "asc"] });
const PRICE_FIELDS = ["min_price", "max_price"];

function newState() {
  return {
    filters: { side: "", unit_type: "", min_price: "", max_price: "", sort: "newest" },
    query: null,
    cursors: [null],
    page: 0,
    data: null,
    loading: true,
    error: null,
    errors: {},
  };
}

/** The query GET /listings takes for the filters (after checkFilters). */
export function boardQuery(filters) {
  const [sort, order] = SORT_QUERY[filters.sort] || SORT_QUERY.newest;
  const query = { sort, order, limit: PAGE_SIZE };
  if (filters.side) query.side = filters.side;
  if (filters.unit_type) query.unit_type = filters.unit_type;
  for (const name of PRICE_FIELDS) {
    const value = normalizeDigits(filters[name]);
    if (value) query[name] = Number(value);
  }
  return query;
}

/** The page's own checks of the price range: {field: error}. */
export function checkFilters(filters) {
  const errors = {};
  for (const name of PRICE_FIELDS) {
    const value = normalizeDigits(filters[name]);
    if (value && !/^\d{1,9}$/.test(value)) errors[name] = clientError("matching.validation.price");
  }
  const low = normalizeDigits(filters.min_price);
  const high = normalizeDigits(filters.max_price);
  if (!errors.min_price && !errors.max_price && low && high && Number(low) > Number(high)) errors.min_price = clientError("matching.validation.price_order");
  return errors;
}

async function fetchPage(screen, state, focus = null) {
  const query = state.query;
  const cursor = state.cursors[state.page];
  state.loading = true;
  state.error = null;
  screen.update();
  try {
    const data = await api.listings({ ...query, cursor });
    if (query !== state.query || cursor !== state.cursors[state.page]) return; // a newer search replaced this one
    state.data = data;
  } catch (error) {
    if (query !== state.query) return;
    if (error.status === 401) return;
    state.data = null;
    if (PRICE_FIELDS.includes(error.field) || ["side", "unit_type", "sort"].includes(error.field)) state.errors[`board-${error.field}`] = error;
    else if (error.field === "order") state.errors["board-sort"] = error;
    else state.error = error;
  }
  state.loading = false;
  screen.update({ focus: Object.keys(state.errors).length ? "error-summary" : focus });
}

function search(screen, state, event) {
  event.preventDefault();
  const errors = checkFilters(state.filters);
  state.errors = Object.fromEntries(Object.entries(errors).map(([name, error]) => [`board-${name}`, error]));
  if (Object.keys(state.errors).length) {
    screen.update({ focus: "error-summary" });
    return;
  }
  state.query = boardQuery(state.filters);
  state.cursors = [null];
  state.page = 0;
  fetchPage(screen, state, "board-results-title");
}

function turn(screen, state, step) {
  if (step > 0) {
    if (!state.data?.next_cursor) return;
    state.cursors = [...state.cursors.slice(0, state.page + 1), state.data.next_cursor];
  } else if (state.page === 0) {
    return;
  }
  state.page += step;
  fetchPage(screen, state, "board-results-title");
}

// --- rendering -------------------------------------------------------------------------------

function select(state, name, options, label) {
  return formField({
    label,
    field: `board-${name}`,
    error: state.errors[`board-${name}`],
    control: h("select", { id: `board-${name}`, name, value: state.filters[name], onchange: (event) => { state.filters[name] = event.target.value; } },
      options.map(([value, text]) => h("option", { value }, text))),
  });
}

function priceInput(state, name) {
  return formField({
    label: t(`matching.board.${name}`),
    field: `board-${name}`,
    error: state.errors[`board-${name}`],
    optional: true,
    control: h("input", {
      id: `board-${name}`, name, type: "text", inputmode: "numeric", autocomplete: "off", class: "amount-input", value: state.filters[name],
      oninput: (event) => { state.filters[name] = event.target.value; },
    }),
  });
}

function filterForm(screen, state) {
  const any = t("common.any");
  return h(
    "form",
    { class: "board-filters inline-form", novalidate: true, onsubmit: (event) => search(screen, state, event), "aria-label": t("matching.board.filters") },
    select(state, "side", [["", any], ...SIDES.map((side) => [side, t(`matching.side.${side}`)])], t("matching.col.side")),
    select(state, "unit_type", [["", any], ...UNIT_TYPES.map((type) => [type, type])], t("col.unit_type")),
    priceInput(state, "min_price"),
    priceInput(state, "max_price"),
    select(state, "sort", SORTS.map((sort) => [sort, t(`matching.sort.${sort}`)]), t("matching.board.sort")),
    h("button", { type: "submit", class: "primary", id: "board-search" }, t("matching.board.search")),
  );
}

function results(screen, state) {
  const items = state.data?.items || [];
  if (!items.length) return h("p", { id: "board-empty" }, t("matching.board.none"));
  return [
    dataTable({
      caption: t("matching.board.caption"),
      captionHidden: true,
      id: "board-table",
      columns: [
        { label: t("matching.col.side") }, { label: t("col.unit_type") }, { label: t("matching.col.open_quantity"), num: true },
        { label: t("matching.col.min_lot"), num: true }, { label: t("matching.col.price"), num: true }, { label: t("matching.col.valid_until") },
        { label: t("matching.col.details") },
      ],
      rows: items.map((listing) => ({
        attrs: { "data-listing": listing.id, class: isMine(listing) ? "mine" : null },
        cells: [
          [sideBadge(listing.side), isMine(listing) ? [" ", h("span", { class: "badge badge-mine" }, t("matching.mine_badge"))] : null],
          unitLabel(listing),
          fmtNumber(openQuantity(listing)),
          fmtNumber(listing.min_lot),
          fmtPrice(listing.price_yen),
          fmtDate(listing.valid_until),
          h("a", { href: `#/listing/${encodeURIComponent(listing.id)}`, id: `listing-link-${listing.id}` }, t("matching.board.open"),
            h("span", { class: "visually-hidden" }, ` (${t("matching.listing_label", { side: t(`matching.side.${listing.side}`), unit: unitLabel(listing), price: fmtPrice(listing.price_yen) })})`)),
        ],
      })),
    }),
    h(
      "nav",
      { class: "pager", "aria-label": t("matching.board.pages") },
      h("button", { type: "button", id: "board-prev", class: "secondary", disabled: state.page === 0 || state.loading, onclick: () => turn(screen, state, -1) }, t("history.prev")),
      h("span", { id: "board-page" }, t("history.page", { n: state.page + 1 })),
      h("button", { type: "button", id: "board-next", class: "secondary", disabled: !state.data?.next_cursor || state.loading, onclick: () => turn(screen, state, 1) }, t("history.next")),
    ),
  ];
}

function render(screen, state) {
  const entries = Object.entries(state.errors).map(([field, error]) => ({ field, error }));
  return h(
    "section",
    { class: "matching board" },
    pageHeading(t("matching.board.title"), t("matching.board.subtitle")),
    h("p", null, t("matching.board.intro")),
    h("div", { class: "actions no-print" }, h("a", { href: "#/my-listings", class: "button-link", id: "board-to-mine" }, t("matching.board.to_mine"))),
    errorSummary(entries),
    filterForm(screen, state),
    h("h2", { id: "board-results-title", tabindex: "-1" }, t("matching.board.results")),
    state.error ? errorBox(state.error, { id: "board-error" }) : null,
    state.loading && !state.data ? loading() : results(screen, state),
  );
}

export function boardView(ctx) {
  const state = newState();
  const view = {
    titleKey: "matching.board.title",
    start: () => {
      state.query = boardQuery(state.filters);
      fetchPage(screen, state);
    },
    render: () => render(screen, state),
  };
  const screen = matchingScreen(ctx, view);
  return view;
}
