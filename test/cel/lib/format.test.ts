import { describe, expect, it } from "vitest";
import { FORMATS, Format, format } from "../../../api/cel/lib/format.ts";
import { optional } from "../../../api/cel/lib/optional.ts";
import { Optional } from "../../../api/cel/values.ts";
import { call, errorOf, estimate, runtimeCost, size } from "./call.ts";

const named = (name: string) => call(format, `format.${name}`) as Format;
const validate = (name: string, s: string) => call(format, "format-validate", named(name), s) as Optional;
/** The errors validate(s) reports; [] when it answers optional.none(). */
const errors = (name: string, s: string) => {
  const result = validate(name, s);
  return result.hasValue ? (result.value as string[]) : [];
};

const LABEL_ERROR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_ERROR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_ERROR =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const LABEL_KEY_NAME_ERROR =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_ERROR =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe("format library", () => {
  it.each([
    // format, string, errors
    ["dns1123Label", "my-name", []],
    ["dns1123Label", "123-abc", []],
    ["dns1123Label", "a".repeat(63), []],
    ["dns1123Label", "a".repeat(64), ["must be no more than 63 characters"]],
    ["dns1123Label", "example.com", ["must not contain dots"]],
    ["dns1123Label", "My_Name", [LABEL_ERROR]],
    ["dns1123Label", "", [LABEL_ERROR]],
    ["dns1123Label", "-name", [LABEL_ERROR]],
    ["dns1123Label", "name-", [LABEL_ERROR]],
    ["dns1123Label", "näme", [LABEL_ERROR]],
    ["dns1123Label", `${"a".repeat(63)}.b`, ["must be no more than 63 characters", "must not contain dots"]],
    ["dns1123Label", `${"A".repeat(64)}`, ["must be no more than 63 characters", LABEL_ERROR]],
    // the length counts UTF-8 bytes: 32 two-byte characters are 64
    ["dns1123Label", "é".repeat(32), ["must be no more than 63 characters", LABEL_ERROR]],
    ["dns1123Subdomain", "example.com", []],
    ["dns1123Subdomain", "apiextensions.k8s.io", []],
    ["dns1123Subdomain", "my-name", []],
    ["dns1123Subdomain", "Example.com", [SUBDOMAIN_ERROR]],
    ["dns1123Subdomain", "example..com", [SUBDOMAIN_ERROR]],
    ["dns1123Subdomain", "", [SUBDOMAIN_ERROR]],
    ["dns1123Subdomain", `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`, []],
    ["dns1123Subdomain", `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(62)}`, ["must be no more than 253 characters"]],
    ["dns1035Label", "my-name", []],
    ["dns1035Label", "abc-123", []],
    ["dns1035Label", "123-abc", [DNS1035_ERROR]],
    ["dns1035Label", "a".repeat(64), ["must be no more than 63 characters"]],
    ["qualifiedName", "MyName", []],
    ["qualifiedName", "my.name_2", []],
    ["qualifiedName", "apiextensions.k8s.io/v1beta1", []],
    ["qualifiedName", "-bad", [`name part ${LABEL_KEY_NAME_ERROR}`]],
    ["qualifiedName", "", ["name part must be non-empty", `name part ${LABEL_KEY_NAME_ERROR}`]],
    ["qualifiedName", "/name", ["prefix part must be non-empty"]],
    ["qualifiedName", "example.com/", ["name part must be non-empty", `name part ${LABEL_KEY_NAME_ERROR}`]],
    ["qualifiedName", "Example.com/name", [`prefix part ${SUBDOMAIN_ERROR}`]],
    ["qualifiedName", `x/${"a".repeat(64)}`, ["name part must be no more than 63 characters"]],
    [
      "qualifiedName",
      "a/b/c",
      [`a valid label key ${LABEL_KEY_NAME_ERROR} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`],
    ],
    ["labelValue", "", []],
    ["labelValue", "my_value", []],
    ["labelValue", "MyValue.1", []],
    ["labelValue", "-bad", [LABEL_VALUE_ERROR]],
    ["labelValue", "a".repeat(64), ["must be no more than 63 characters"]],
    ["portName", "http", []],
    ["portName", "web-8080", []],
    ["portName", "8080", ["must contain at least one letter (a-z)"]],
    ["portName", "-http--x-", ["must not contain consecutive hyphens", "must not begin or end with a hyphen"]],
    [
      "portName",
      "HTTP_PORT_NAME_TOO",
      ["must be no more than 15 characters", "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)", "must contain at least one letter (a-z)"],
    ],
    ["uri", "http://example.com", []],
    ["uri", "https://example.com:8443/path?q=1#frag", []],
    ["uri", "/absolute/path", []],
    ["uri", "example.com", ['parse "example.com": invalid URI for request']],
    ["uri", "", ['parse "": empty url']],
    ["uri", ":x", ['parse ":x": missing protocol scheme']],
    ["uuid", "123e4567-e89b-12d3-a456-426614174000", []],
    ["uuid", "123E4567E89B12D3A456426614174000", []],
    ["uuid", "123e4567-e89b-12d3-a456", ["does not match the UUID format"]],
    ["byte", "aGVsbG8=", []],
    ["byte", "aGVsbG8", ["invalid base64"]],
    ["byte", "", ["invalid base64"]],
    ["date", "2021-01-01", []],
    ["date", "2021-1-1", ["invalid date"]],
    ["date", "2021-02-29", ["invalid date"]],
    ["date", "2020-02-29", []],
    ["datetime", "2021-01-01T00:00:00Z", []],
    ["datetime", "2021-01-01T00:00:00.123+02:00", []],
    ["datetime", "2021-01-01", ["invalid datetime"]],
    ["datetime", "2021-01-01t00:00:00z", []],
    ["datetime", "2021-01-01 00:00:00Z", ["invalid datetime"]],
  ] as const)("format.%s().validate(%j) reports %j", (name, s, expected) => {
    expect(errors(name, s)).toEqual(expected);
    // format.named(name) is the same format
    const found = call(format, "format-named", name) as Optional;
    expect(found.hasValue && (found.value as Format).celEquals(named(name))).toBe(true);
  });

  it.each([
    // the trailing dash is masked by replacing the last two bytes with "a": Kubernetes' own quirk
    ["dns1123LabelPrefix", "my-prefix-", []],
    ["dns1123LabelPrefix", "a?-", []],
    ["dns1123LabelPrefix", "My-", [LABEL_ERROR]],
    ["dns1123LabelPrefix", "my-prefix", []],
    ["dns1123SubdomainPrefix", "mysubdomain.prefix.-", []],
    ["dns1123SubdomainPrefix", "example.com-", []],
    ["dns1123SubdomainPrefix", "example..-", []], // masked to "example.a"
    ["dns1123SubdomainPrefix", "example..x-", [SUBDOMAIN_ERROR]],
    ["dns1035LabelPrefix", "my-label-prefix-", []],
    ["dns1035LabelPrefix", "1-", []], // masked to "a"
    ["dns1035LabelPrefix", "1a-", [DNS1035_ERROR]],
    ["dns1123LabelPrefix", "é-", [LABEL_ERROR]], // masked bytes: "\xc3a"
  ] as const)("format.%s().validate(%j) reports %j", (name, s, expected) => {
    expect(errors(name, s)).toEqual(expected);
  });

  it.each([
    // Go counts bytes: 40 two-byte characters are too long for a label
    ["dns1123Label", "é".repeat(40), ["must be no more than 63 characters", LABEL_ERROR]],
    ["labelValue", "é".repeat(32), ["must be no more than 63 characters", LABEL_VALUE_ERROR]],
  ] as const)("format.%s().validate(%j) reports %j", (name, s, expected) => {
    expect(errors(name, s)).toEqual(expected);
  });

  it("fails like Go's slice panic when a prefix format gets a lone dash", () => {
    for (const name of ["dns1123LabelPrefix", "dns1123SubdomainPrefix", "dns1035LabelPrefix"]) {
      expect(errorOf(format, "format-validate", named(name), "-")).toBe("internal error: runtime error: slice bounds out of range [:-1]");
    }
  });

  it("answers the agentic CRDs' rules: validate(x).hasValue() is true only for a bad name", () => {
    const hasValue = (o: Optional) => call(optional, "optional_hasValue", o);
    expect(hasValue(validate("dns1123Label", "my-agent"))).toBe(false);
    expect(hasValue(validate("dns1123Label", "My Agent"))).toBe(true);
    expect(hasValue(validate("dns1123Subdomain", "tools.example.com"))).toBe(false);
    expect(hasValue(validate("dns1123Subdomain", "tools_example"))).toBe(true);
    // messageExpression: format.dns1123Label().validate(name).value().join('\n')
    expect(call(optional, "optional_value", validate("dns1123Label", "a.b"))).toEqual(["must not contain dots"]);
  });

  it("finds formats by name, optional.none() for unknown ones", () => {
    expect(call(format, "format-named", "dns1123label")).toBe(Optional.none);
    expect(call(format, "format-named", "ipv4")).toBe(Optional.none);
    expect([...FORMATS.keys()]).toEqual([
      "dns1123Label",
      "dns1123Subdomain",
      "dns1035Label",
      "qualifiedName",
      "portName",
      "dns1123LabelPrefix",
      "dns1123SubdomainPrefix",
      "dns1035LabelPrefix",
      "labelValue",
      "uri",
      "uuid",
      "byte",
      "date",
      "datetime",
    ]);
    for (const name of FORMATS.keys()) {
      const f = named(name);
      expect(f.celTypeName).toBe("kubernetes.NamedFormat");
      expect(f.celEquals(named(name === "uri" ? "uuid" : "uri"))).toBe(false);
    }
  });

  it("prices validate() as a traversal times the format's regex length", () => {
    // estimate: size × 0.1 × (128 × 0.25), with the longest name-format regex
    expect(estimate(format, "format-validate", [size(1), size(0, 100)]).cost).toEqual(size(0, 320));
    // at run time: ceil((1 + len) × 0.1) × ceil(maxRegexSize × 0.25)
    expect(runtimeCost(format, "format-validate", named("dns1123Label"), "my-name")).toBe(8);
    expect(runtimeCost(format, "format-validate", named("uri"), "http://example.com")).toBe(2 * 276);
    expect(runtimeCost(format, "format-named", "uri")).toBe(1);
  });
});
