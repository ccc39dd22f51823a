// Help (ヘルプ・お問合せ): reading the balance, transferring, retiring, the history,
// trading hours, account numbers, and whom to contact. Open without signing in.

import { h } from "../dom.js";
import { t } from "../i18n.js";
import { pageHeading } from "../ui.js";

const SECTIONS = ["balance", "transfer", "retire", "history", "hours", "accounts", "contact"];

export function helpView() {
  return {
    titleKey: "help.title",
    render() {
      return h(
        "section",
        { class: "help" },
        pageHeading(t("help.title")),
        h("p", null, t("help.intro")),
        h(
          "nav",
          { class: "toc", "aria-labelledby": "help-toc" },
          h("h2", { id: "help-toc" }, t("help.toc")),
          h(
            "ol",
            null,
            SECTIONS.map((section) =>
              h(
                "li",
                null,
                h("button", {
                  type: "button",
                  class: "link-button",
                  onclick: () => {
                    const heading = document.getElementById(`help-${section}`);
                    heading?.scrollIntoView();
                    heading?.focus();
                  },
                }, t(`help.${section}.title`)),
              ),
            ),
          ),
        ),
        SECTIONS.map((section) =>
          h(
            "section",
            { class: "help-section", "aria-labelledby": `help-${section}` },
            h("h2", { id: `help-${section}`, tabindex: "-1" }, t(`help.${section}.title`)),
            t(`help.${section}.body`).split("\n").map((paragraph) => h("p", null, paragraph)),
          ),
        ),
      );
    },
  };
}
