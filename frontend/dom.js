// Building the page: elements and text nodes only. Nothing here (or anywhere in the
// portal) parses HTML, so text from users or from the API is always shown as text.

/**
 * h("p", {class: "note"}, "text", child, [more]) -> an element.
 * Props: class, on<event> handlers, value/checked/selected/disabled (set as properties
 * after the children, so a <select>'s value matches an option), anything else as an
 * attribute (true -> present, null/false/undefined -> absent).
 */
export function h(tag, props = null, ...children) {
  const element = document.createElement(tag);
  append(element, children);
  if (props) {
    for (const [name, value] of Object.entries(props)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") element.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
      else if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
      else if (name === "value" || name === "checked" || name === "selected" || name === "disabled") element[name] = value;
      else element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  return element;
}

export function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replace an element's children (null, false and undefined are skipped). */
export function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

/** Text visible only to assistive technology. */
export function vh(text) {
  return h("span", { class: "visually-hidden" }, text);
}

/** An id-safe form of a field path: "lines.0.amount" -> "lines-0-amount". */
export function fieldId(field) {
  return String(field).replace(/[^A-Za-z0-9_-]/g, "-");
}
