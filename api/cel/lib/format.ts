// Kubernetes' format library (k8s.io/apiserver/pkg/cel/library/format.go, Kubernetes 1.31+): named formats
// (format.dns1123Label(), format.named('uuid'), …) whose validate(s) answers optional.none() for a valid string,
// else the error strings of k8s.io/apimachinery's validation, word for word. The name checks count bytes and
// match ASCII patterns, as Go does; the OpenAPI formats (uuid, byte, date, datetime) are kube-openapi's.
import { scaleEstimate, REGEX_STRING_LENGTH_COST_FACTOR, STRING_TRAVERSAL_COST_FACTOR, UNKNOWN_SIZE } from "../cost.ts";
import type { Library } from "../functions.ts";
import { KUBE_FORMATS } from "../../validation/formats.ts";
import { remembered } from "../../validation/remembered.ts";
import { type CelObject, type CelValue, CelError, Optional } from "../values.ts";
import { actualSize } from "./actual-cost.ts";
import { toBytes } from "./go.ts";
import { requestURIError } from "./url.ts";

/** A named format: its validation, and the regex length cost.go charges for it. */
export class Format implements CelObject {
  readonly celTypeName = "kubernetes.NamedFormat";
  readonly name: string;
  readonly validate: (s: string) => readonly string[];
  readonly maxRegexSize: number;

  constructor(name: string, validate: (s: string) => readonly string[], maxRegexSize: number) {
    this.name = name;
    this.validate = validate;
    this.maxRegexSize = maxRegexSize;
  }

  celEquals(other: CelValue): boolean {
    return other instanceof Format && this.name === other.name;
  }
}

// k8s.io/apimachinery/pkg/util/validation (and api/validate/content, where 1.35 keeps them)

const maxLenError = (length: number) => `must be no more than ${length} characters`;
const EMPTY_ERROR = "must be non-empty";

function regexError(message: string, format: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${format}')`;
  return `${message} (e.g. ${examples.map((e) => `'${e}', `).join(" or ")}regex used for validation is '${format}')`;
}

const DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
const LABEL_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_VALUE_FMT = `(${LABEL_KEY_FMT})?`;
const LABEL_KEY_ERROR = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

// Groups do not capture: only test() is used, which is faster without.
const anchored = (format: string) => new RegExp(`^${format.replaceAll("(", "(?:")}$`);
const DNS1123_LABEL = anchored(DNS1123_LABEL_FMT);
const DNS1123_SUBDOMAIN = anchored(DNS1123_SUBDOMAIN_FMT);
const DNS1035_LABEL = anchored(DNS1035_LABEL_FMT);
const LABEL_KEY = anchored(LABEL_KEY_FMT);
const LABEL_VALUE = anchored(LABEL_VALUE_FMT);

// Each validator takes the string's UTF-8 bytes (see go.ts): Go measures lengths in bytes.

function isDNS1123Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLenError(63));
  if (!DNS1123_LABEL.test(value)) {
    // a valid subdomain that is no label (its length was checked) has dots
    if (DNS1123_SUBDOMAIN.test(value)) errors.push("must not contain dots");
    else {
      errors.push(regexError(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
        DNS1123_LABEL_FMT, "my-name", "123-abc",
      ));
    }
  }
  return errors;
}

function isDNS1123Subdomain(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 253) errors.push(maxLenError(253));
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errors.push(regexError(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
      DNS1123_SUBDOMAIN_FMT, "example.com",
    ));
  }
  return errors;
}

function isDNS1035Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLenError(63));
  if (!DNS1035_LABEL.test(value)) {
    errors.push(regexError(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
      DNS1035_LABEL_FMT, "my-name", "abc-123",
    ));
  }
  return errors;
}

/** IsQualifiedName, which 1.35 answers with content.IsLabelKey's messages: [prefix/]name. */
function isQualifiedName(value: string): string[] {
  const errors: string[] = [];
  const parts = value.split("/");
  if (parts.length > 2) {
    return [`a valid label key ${regexError(LABEL_KEY_ERROR, LABEL_KEY_FMT, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const name = parts[parts.length - 1] as string;
  if (parts.length === 2) {
    const prefix = parts[0] as string;
    if (prefix === "") errors.push(`prefix part ${EMPTY_ERROR}`);
    else errors.push(...isDNS1123Subdomain(prefix).map((e) => `prefix part ${e}`));
  }
  if (name === "") errors.push(`name part ${EMPTY_ERROR}`);
  else if (name.length > 63) errors.push(`name part ${maxLenError(63)}`);
  if (!LABEL_KEY.test(name)) errors.push(`name part ${regexError(LABEL_KEY_ERROR, LABEL_KEY_FMT, "MyName", "my.name", "123-abc")}`);
  return errors;
}

function isLabelValue(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLenError(63));
  if (!LABEL_VALUE.test(value)) {
    errors.push(regexError(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
      LABEL_VALUE_FMT, "MyValue", "my_value", "12345",
    ));
  }
  return errors;
}

function isPortName(port: string): string[] {
  const errors: string[] = [];
  if (port.length > 15) errors.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errors.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!/[a-z]/.test(port)) errors.push("must contain at least one letter (a-z)");
  if (port.includes("--")) errors.push("must not contain consecutive hyphens");
  if (port.startsWith("-") || port.endsWith("-")) errors.push("must not begin or end with a hyphen");
  return errors;
}

/**
 * Names that get a generated suffix may end in '-': apimachinery's maskTrailingDash replaces the last two
 * bytes by "a" (sic). A lone "-" makes Go slice out of range; cel-go turns that panic into an internal error.
 */
function maskTrailingDash(name: string): string {
  if (!name.endsWith("-")) return name;
  if (name.length < 2) throw new CelError("internal error: runtime error: slice bounds out of range [:-1]");
  return `${name.slice(0, -2)}a`;
}

const prefixed = (validate: (s: string) => string[]) => (s: string) => validate(maskTrailingDash(s));
/** A validation of bytes, given text. */
const onBytes = (validate: (bytes: string) => string[]) => (s: string) => validate(toBytes(s));
/**
 * onBytes for a name validation, which accepts ASCII only: a string it accepts is its own bytes, so only a string
 * with errors is converted and checked again. Valid names are remembered (remembered.ts).
 */
const onAsciiBytes = (validate: (bytes: string) => string[]) => remembered((s: string) => {
  const errors = validate(s);
  return errors.length === 0 ? errors : validate(toBytes(s));
});
/** A kube-openapi format check with its fixed message. */
const openAPI = (check: ((s: string) => boolean) | undefined, message: string) => (s: string) => (check?.(s) ? [] : [message]);

// govalidator.URL (2019), strfmt.UUIDPattern, govalidator.Base64 and strfmt.DateTimePattern: lengths only
const URL_REGEX_SIZE = 1103;
const UUID_REGEX_SIZE = 70;
const BASE64_REGEX_SIZE = 84;
const DATE_TIME_REGEX_SIZE = 71;

/** The named formats, by the name format.named() takes. */
export const FORMATS: ReadonlyMap<string, Format> = new Map([
  ["dns1123Label", new Format("DNS1123Label", onAsciiBytes(isDNS1123Label), 30)],
  ["dns1123Subdomain", new Format("DNS1123Subdomain", onAsciiBytes(isDNS1123Subdomain), 60)],
  ["dns1035Label", new Format("DNS1035Label", onAsciiBytes(isDNS1035Label), 30)],
  ["qualifiedName", new Format("QualifiedName", onAsciiBytes(isQualifiedName), 60)],
  ["portName", new Format("PortName", onAsciiBytes(isPortName), 20)],
  ["dns1123LabelPrefix", new Format("DNS1123LabelPrefix", onBytes(prefixed(isDNS1123Label)), 30)],
  ["dns1123SubdomainPrefix", new Format("DNS1123SubdomainPrefix", onBytes(prefixed(isDNS1123Subdomain)), 60)],
  ["dns1035LabelPrefix", new Format("DNS1035LabelPrefix", onBytes(prefixed(isDNS1035Label)), 30)],
  ["labelValue", new Format("LabelValue", onAsciiBytes(isLabelValue), 40)],
  ["uri", new Format("URI", (s) => { const problem = requestURIError(s); return problem === undefined ? [] : [problem]; }, URL_REGEX_SIZE)],
  ["uuid", new Format("uuid", openAPI(KUBE_FORMATS.uuid, "does not match the UUID format"), UUID_REGEX_SIZE)],
  ["byte", new Format("byte", openAPI(KUBE_FORMATS.byte, "invalid base64"), BASE64_REGEX_SIZE)],
  ["date", new Format("date", openAPI(KUBE_FORMATS.date, "invalid date"), DATE_TIME_REGEX_SIZE)],
  ["datetime", new Format("datetime", openAPI(KUBE_FORMATS.datetime, "invalid datetime"), DATE_TIME_REGEX_SIZE)],
]);

function validate(format: Format, s: string): Optional {
  const errors = format.validate(s);
  return errors.length === 0 ? Optional.none : Optional.of([...errors]);
}

function named(name: string): Optional {
  const format = FORMATS.get(name);
  return format ? Optional.of(format) : Optional.none;
}

// k8s.io/apiserver/pkg/cel/limits.go: the longest regex a name format uses, for the estimate
const MAX_NAME_FORMAT_REGEX_SIZE = 128;

export const format: Library = {
  name: "format",
  types: ["kubernetes.NamedFormat"],
  overloads: [
    {
      id: "format-validate",
      name: "validate",
      receiver: "kubernetes.NamedFormat",
      params: ["string"],
      result: "optional_type(list(string))",
      impl: validate,
      cost: ([, s = UNKNOWN_SIZE]) =>
        scaleEstimate(scaleEstimate(s, STRING_TRAVERSAL_COST_FACTOR), MAX_NAME_FORMAT_REGEX_SIZE * REGEX_STRING_LENGTH_COST_FACTOR),
      runtimeCost: ([f, s]) =>
        Math.ceil((1 + actualSize(s as CelValue)) * STRING_TRAVERSAL_COST_FACTOR) *
        Math.ceil((f as Format).maxRegexSize * REGEX_STRING_LENGTH_COST_FACTOR),
    },
    { id: "format-named", name: "format.named", params: ["string"], result: "optional_type(kubernetes.NamedFormat)", impl: named },
    ...[...FORMATS].map(([name, f]) => ({ id: `format.${name}`, name: `format.${name}`, params: [], result: "kubernetes.NamedFormat", impl: () => f })),
  ],
};
