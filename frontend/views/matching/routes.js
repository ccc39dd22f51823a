// The notice board's routes and menu, added to app.js's in one line each.
//
//   #/board                the board           #/listing/<id>   a listing
//   #/my-listings          my listings         #/inquiries      my threads
//   #/inquiry/<id>         a thread            #/deal/<id>      a deal
//   #/settle/<deal id>     the transfer prefilled from a deal (views/movement.js)
//   #/market-statistics    statistics and the price chart
//   #/notifications        the notifications

import { movementView } from "../movement.js";
import { boardView } from "./board.js";
import { dealView } from "./deal.js";
import { inquiriesView, inquiryView } from "./inquiries.js";
import { listingView } from "./listing.js";
import { myListingsView } from "./mine.js";
import { notificationsView } from "./notifications.js";
import { statisticsView } from "./statistics.js";

/** The menu's notice board group: [route, dictionary key]. */
export const MATCHING_NAV = Object.freeze([
  ["board", "nav.board"],
  ["my-listings", "nav.my_listings"],
  ["inquiries", "nav.inquiries"],
  ["market-statistics", "nav.market_statistics"],
]);
/** What every signed-in user may open: the board and the statistics. */
const READING = new Set(["board", "market-statistics"]);

/** The group for this user (GET /me): participants list and deal; verifiers and administrators read. */
export function matchingNav(me) {
  return me && me.role === "participant" ? MATCHING_NAV : MATCHING_NAV.filter(([name]) => READING.has(name));
}

/** {name: {make(params)}} for app.js's routes; ctx() is the app's ctx. */
export function matchingRoutes(ctx) {
  // A page of one item without its id shows the list it belongs to.
  const one = (make, list) => ({ make: (params) => (params[0] ? make(params[0]) : list()) });
  return {
    board: { make: () => boardView(ctx()) },
    listing: one((id) => listingView(ctx(), id), () => boardView(ctx())),
    "my-listings": { make: () => myListingsView(ctx()) },
    inquiries: { make: () => inquiriesView(ctx()) },
    inquiry: one((id) => inquiryView(ctx(), id), () => inquiriesView(ctx())),
    deal: one((id) => dealView(ctx(), id), () => inquiriesView(ctx())),
    settle: one((id) => movementView(ctx(), "transfer", id), () => movementView(ctx(), "transfer")),
    "market-statistics": { make: () => statisticsView(ctx()) },
    notifications: { make: () => notificationsView(ctx()) },
  };
}
