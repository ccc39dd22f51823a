// Account numbers in the Kyoto data exchange standard form, checked as the user types.
//
// <registry>-<type>-<identifier>-<commitment period>-<check digits>, e.g. JP-121-1053-0-25.
// Check digits are ISO 7064 MOD 97-10, exactly as chalicelib.registry.domain.accounts
// computes them: the identifier, then each registry letter as (char code - 55), the type
// as three digits, the period as two digits, then "00"; the check digits are
// 98 - (that number mod 97). A full number is valid when the same digit string with the
// real check digits in place of "00" is 1 mod 97.
//
// No DOM access here: the browser tests also run this module under node.

export const REGISTRY_CODE = "JP";
export const ACCOUNT_TYPES = Object.freeze([100, 120, 121, 230, 300]);

const NUMBER = /^([A-Z]{2})-([0-9]{3})-([1-9][0-9]{0,14})-([0-9]{1,2})-([0-9]{1,2})$/;

/** The remainder of a decimal digit string divided by 97 (no precision limit). */
function mod97(digits) {
  let remainder = 0;
  for (const character of digits) {
    remainder = (remainder * 10 + (character.charCodeAt(0) - 48)) % 97;
  }
  return remainder;
}

function digitString(registry, type, identifier, period) {
  const letters = [...registry].map((letter) => String(letter.charCodeAt(0) - 55)).join("");
  return `${identifier}${letters}${String(type).padStart(3, "0")}${String(period).padStart(2, "0")}`;
}

/** The two check digits (a number 2..98) for these parts. */
export function checkDigits(registry, type, identifier, period) {
  return 98 - mod97(digitString(registry, Number(type), String(identifier), Number(period)) + "00");
}

/** Build a full account number from its parts, e.g. (121, 1053, 0) -> "JP-121-1053-0-25". */
export function formatAccountNumber(type, identifier, period = 0, registry = REGISTRY_CODE) {
  const check = String(checkDigits(registry, type, identifier, period)).padStart(2, "0");
  return `${registry}-${String(type).padStart(3, "0")}-${identifier}-${Number(period)}-${check}`;
}

/**
 * What a user typed, tidied: full-width characters and dash look-alikes become ASCII,
 * spaces go, letters are upper-cased ("ｊｐ－１２１－１０５３－０－２５" -> "JP-121-1053-0-25").
 */
export function normalizeAccountNumber(text) {
  return String(text ?? "")
    .normalize("NFKC")
    .replace(/[\u2010-\u2015\u2212\u30fc\uff0d\ufe63]/g, "-")
    .replace(/\s+/g, "")
    .toUpperCase();
}

/**
 * Validate an account number the way the API does.
 * Returns {valid: true, value} or {valid: false, value, reason} where reason is one of
 * "empty", "format", "registry", "type", "check", "period".
 */
export function validateAccountNumber(text) {
  const value = normalizeAccountNumber(text);
  if (value === "") return { valid: false, value, reason: "empty" };
  const match = NUMBER.exec(value);
  if (match === null) return { valid: false, value, reason: "format" };
  const [, registry, typeText, identifier, period, check] = match;
  if (registry !== REGISTRY_CODE) return { valid: false, value, reason: "registry" };
  const type = Number(typeText);
  if (!ACCOUNT_TYPES.includes(type)) return { valid: false, value, reason: "type" };
  const whole = digitString(registry, type, identifier, Number(period)) + check;
  if (mod97(whole) !== 1 || check.length !== 2) return { valid: false, value, reason: "check" };
  if (period !== String(Number(period))) return { valid: false, value, reason: "period" };
  return { valid: true, value };
}

/** True when the text looks finished (four dashes, two final digits): time to judge it. */
export function looksComplete(text) {
  return /^[A-Z]{2}-[0-9]+-[0-9]+-[0-9]+-[0-9]{2}$/.test(normalizeAccountNumber(text));
}

export function isValidAccountNumber(text) {
  return validateAccountNumber(text).valid;
}
