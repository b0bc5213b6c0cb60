// The OpenAPI string formats as kube-openapi's strfmt checks them, where crdkit spells them out itself.
import { describe, expect, it } from "vitest";
import { KUBE_FORMATS, scalaDuration } from "../../api/validation/formats.ts";

describe("duration (strfmt.ParseDuration)", () => {
  const isDuration = KUBE_FORMATS.duration!;

  it.each(["1h30m", "-1.5s", "0", "300ms", "2µs"])("accepts Go's syntax: %s", (s) => expect(isDuration(s)).toBe(true));

  it.each([
    ["3 days", 3n * 86_400n * 10n ** 9n],
    ["1 day 2 hours", 26n * 3_600n * 10n ** 9n],
    ["2w", 14n * 86_400n * 10n ** 9n],
    ["5 MINUTES", 300n * 10n ** 9n],
    ["10 secs", 10n * 10n ** 9n],
    ["7 micro", 7_000n],
    ["7 µs", 7_000n],
    ["1 ms 3 parsecs", 10n ** 6n], // terms with units it does not know are skipped
    ["after 3 days", 3n * 86_400n * 10n ** 9n], // the terms are found anywhere in the string
    ["1.5 days", 5n * 86_400n * 10n ** 9n], // even in "1.5": its term is "5 days"
  ])("accepts Scala-style terms: %s", (s, nanos) => {
    expect(isDuration(s)).toBe(true);
    expect(scalaDuration(s)).toBe(nanos);
  });

  it("wraps around as Go's int64 does", () => {
    expect(scalaDuration("300 weeks 300 weeks 300 weeks 300 weeks 300 weeks")).toBe(BigInt.asIntN(64, 1500n * 604_800n * 10n ** 9n));
  });

  it.each(["", "3", "3 parsecs", "day", "99999999999999999999 days"])("rejects %j", (s) => {
    expect(isDuration(s)).toBe(false);
    expect(scalaDuration(s)).toBeUndefined();
  });
});
