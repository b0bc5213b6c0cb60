// Runtime semantics where cel-go (Go) and JavaScript part ways, checked against what cel-go returns:
// Go's number and time formatting and parsing, code-point string order, lossy int/double comparison, the
// ranges of timestamps and durations, time zones, and RE2 regexes (including the JavaScript RegExp fast path,
// which must match exactly what RE2 matches).
import { RE2JS } from "@bufbuild/re2";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileToFunction } from "../../api/cel/compile.ts";
import { standardLibrary } from "../../api/cel/lib/standard.ts";
import { toJsRegExp } from "../../api/cel/runtime.ts";
import { CelError } from "../../api/cel/values.ts";
import { canonical } from "./support/spec-data.ts";

function evaluate(expr: string): string {
  try {
    return canonical(compileToFunction(expr, [standardLibrary])());
  } catch (e) {
    if (e instanceof CelError) return `error: ${e.message}`;
    throw e;
  }
}

describe("values as cel-go prints them", () => {
  it.each([
    // string(double) is Go's %g: an exponent from 1e6 and below 1e-4.
    ["string(123456.0)", '"123456"'],
    ["string(1e6)", '"1e+06"'],
    ["string(2.99792e8)", '"2.99792e+08"'],
    ["string(0.0001)", '"0.0001"'],
    ["string(0.00001)", '"1e-05"'],
    ["string(-0.0)", '"-0"'],
    ["string(1.0 / 0.0)", '"+Inf"'],
    ["string(-1.0 / 0.0)", '"-Inf"'],
    // Durations print their seconds in plain decimal, timestamps RFC 3339 without trailing zeros.
    ["string(duration('-1.5s'))", '"-1.5s"'],
    ["string(duration('1ns'))", '"0.000000001s"'],
    ["string(duration('2h'))", '"7200s"'],
    ["string(timestamp('2000-01-01T00:00:00.120Z'))", '"2000-01-01T00:00:00.12Z"'],
    ["string(timestamp('2000-01-01T05:00:00+05:00'))", '"2000-01-01T00:00:00Z"'],
  ])("%s is %s", (expr, result) => {
    expect(evaluate(expr)).toBe(result);
  });
});

describe("conversions parse as Go does", () => {
  it.each([
    ["double('0x1p-2')", "double(0.25)"],
    ["double('-Inf') < 0.0 && double('nan') != double('nan')", "true"],
    ["double('1e400')", "error: range error converting '1e400' to double"],
    ["int(' 1')", "error: type conversion error from 'string' to 'int': ' 1'"],
    ["int('+1') + int('-9223372036854775808')", "-9223372036854775807"],
    ["uint('-1')", "error: type conversion error from 'string' to 'uint': '-1'"],
    ["bool('True') && !bool('F')", "true"],
    ["duration('1h30m15.5s') == duration('5415500ms')", "true"],
    ["duration('1.5µs') == duration('1500ns') && duration('.5s') == duration('500ms')", "true"],
    ["duration('1d')", "error: invalid duration '1d'"],
    ["timestamp('2024-02-30T00:00:00Z')", "error: timestamp('2024-02-30T00:00:00Z') is out of range"],
    ["timestamp('2024-02-29t00:00:00Z')", "error: timestamp('2024-02-29t00:00:00Z') is not an RFC 3339 timestamp"],
  ])("%s is %s", (expr, result) => {
    expect(evaluate(expr)).toBe(result);
  });
});

describe("comparisons", () => {
  it.each([
    // Go compares strings byte-wise in UTF-8, i.e. by code point; JavaScript by UTF-16 unit.
    ["'\\U0001F600' > '\\uFFFD'", "true"],
    ["'a' < 'ab' && 'B' < 'a'", "true"],
    ["b'\\x00\\xff' < b'\\x01'", "true"],
    // An int meets a double as a double, as in cel-go.
    ["9223372036854775807 == 9223372036854775808.0", "true"],
    ["dyn(9007199254740993) == 9007199254740992.0", "true"],
    ["1 == 1u && 1u == 1.0 && 2 > 1.5 && 1u < 2", "true"],
    ["0.0 / 0.0 == 0.0 / 0.0", "false"],
    ["[0.0 / 0.0] == [0.0 / 0.0]", "false"],
    ["timestamp(1) > timestamp(0) && duration('1s') >= duration('1000ms')", "true"],
    ["null < 1", "error: found no matching overload for '_<_' applied to '(null_type, int)'"],
  ])("%s is %s", (expr, result) => {
    expect(evaluate(expr)).toBe(result);
  });
});

describe("timestamps and durations", () => {
  it.each([
    ["timestamp(253402300799) == timestamp('9999-12-31T23:59:59Z')", "true"],
    ["timestamp(253402300800)", "error: timestamp out of range"],
    ["timestamp(-62135596801)", "error: timestamp out of range"],
    // Durations are int64 nanoseconds, as cel-go's time.Duration.
    ["duration('2562047h') + duration('1h')", "error: duration out of range"],
    ["timestamp('2020-01-01T00:00:00Z') - timestamp('1900-01-01T00:00:00Z') == duration('1051896h')", "true"],
    ["timestamp('2023-03-26T00:59:59Z').getHours('Europe/Berlin')", "1"],
    ["timestamp('2023-03-26T01:00:00Z').getHours('Europe/Berlin')", "3"],
    ["timestamp('2024-01-01T00:30:00Z').getDate('-01:00')", "31"],
    ["timestamp('2024-12-31T12:00:00Z').getDayOfYear()", "365"],
    ["timestamp('0001-01-01T00:00:00Z').getDayOfWeek()", "1"],
    ["timestamp('2024-01-01T00:00:00Z').getHours('Mars/Olympus')", "error: unknown time zone Mars/Olympus"],
    ["duration('-90m').getHours() == -1 && duration('1.25s').getMilliseconds() == 250", "true"],
  ])("%s is %s", (expr, result) => {
    expect(evaluate(expr)).toBe(result);
  });
});

describe("strings", () => {
  it.each([
    ["size('😀é') == 2 && '😀é'.size() == 2", "true"],
    ["'x😀y'.contains('😀') && '😀y'.startsWith('😀') && 'y😀'.endsWith('😀')", "true"],
    ["string(b'\\xff')", "error: invalid UTF-8 in bytes, cannot convert to string"],
    ["size(bytes('😀'))", "4"],
  ])("%s is %s", (expr, result) => {
    expect(evaluate(expr)).toBe(result);
  });
});

describe("RE2 regexes", () => {
  it.each([
    // RE2's \s is [\t\n\f\r ], without JavaScript's \v and Unicode spaces; '.' excludes only \n.
    ["'a\\vb'.matches('a\\\\sb')", "false"],
    ["'a\\u00a0b'.matches('a\\\\sb')", "false"],
    ["'a\\rb'.matches('a.b')", "true"],
    ["'a\\nb'.matches('a.b')", "false"],
    ["'😀'.matches('^.$')", "true"],
    ["'ab'.matches('(?i)AB')", "true"],
    ["'abc'.matches('\\\\pL+')", "true"],
    ["'x'.matches('(')", "error: error parsing regexp: missing closing ): `(`"],
    // a literal pattern is compiled once, with the program, but fails only where it is used
    ["false && 'x'.matches('(')", "false"],
  ])("%s is %s", (expr, result) => {
    expect(evaluate(expr)).toBe(result);
  });

  it("rejects patterns RE2 rejects, even where JavaScript would accept them", () => {
    expect(evaluate("'aa'.matches('(a)\\\\1')")).toMatch(/^error: error parsing regexp: invalid escape sequence/);
    expect(evaluate("'a'.matches('a(?=b)')")).toMatch(/^error: error parsing regexp: invalid or unsupported Perl syntax/);
  });

  const translated = [
    "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
    "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
    "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$",
    "^\\d{1,3}(\\.\\d{1,3}){3}$",
    "a.c|x+?y*",
    "^[^\\s]+\\S\\w\\W\\D$",
    "[\\-a-]{2,}",
    "^[a-z]{2,}[0-9]?$",
    "a{,2}b}",
    "é+😀?",
    "[.]\\.",
    "\\ba\\b\\B",
  ];

  it.each(translated)("runs %s as a JavaScript RegExp", (pattern) => {
    expect(toJsRegExp(pattern)).toBeInstanceOf(RegExp);
  });

  it.each(["(?i)a", "\\pL", "[[:alpha:]]", "[]a]", "\\Qa.b\\E", "(?P<n>a)", "a\\z", "[a-b-c]", "\\x{41}"])(
    "leaves %s to RE2",
    (pattern) => {
      expect(toJsRegExp(pattern)).toBeUndefined();
    },
  );

  it("matches exactly what RE2 matches wherever it translates", () => {
    const alphabet = ["a", "b", "c", "x", "y", "z", "0", "1", "9", "-", "_", ".", " ", "\t", "\n", "\r", "\v", "\f", "é", "😀", "\u00a0", "}", "{", ",", "A", "Z"];
    fc.assert(
      fc.property(fc.constantFrom(...translated), fc.array(fc.constantFrom(...alphabet), { maxLength: 12 }), (pattern, chars) => {
        const s = chars.join("");
        expect((toJsRegExp(pattern) as RegExp).test(s)).toBe(RE2JS.compile(pattern).test(s));
      }),
      { numRuns: 3000 },
    );
  });
});
