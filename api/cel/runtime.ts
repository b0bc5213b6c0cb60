// The CEL runtime: the value semantics compiled expressions and the standard library share (cel-go's
// heterogeneous equality and ordering, int64/uint64 range checks, code-point strings, RE2 regexes, timestamps
// and durations with time zones, map and list access, optional chaining), and the `rt.*` helpers the code
// emitted by compile.ts calls. Everything that fails throws a CelError with cel-go's message.
import { RE2JS } from "@bufbuild/re2";
import type { JSONSchemaProps } from "../apiextensions.ts";
import {
  type CelValue,
  CelError,
  CelMap,
  CelType,
  CelUint,
  Duration,
  INT64_MAX,
  INT64_MIN,
  isCelObject,
  Optional,
  SetOrMapList,
  Timestamp,
} from "./values.ts";

// ---------------------------------------------------------------------------------------------------------
// Types

const typeCache = new Map<string, CelType>();

/** The type value named `name` (one instance per name). */
export function celType(name: string): CelType {
  let t = typeCache.get(name);
  if (!t) typeCache.set(name, (t = new CelType(name)));
  return t;
}

/** Type names usable as identifiers (`int`, `type(x) == list`, `google.protobuf.Timestamp`). */
export const TYPE_NAMES: ReadonlySet<string> = new Set([
  "int", "uint", "double", "bool", "string", "bytes", "null_type", "list", "map", "type",
  "google.protobuf.Timestamp", "google.protobuf.Duration", "optional_type",
]);

export function isMap(v: unknown): v is { readonly [key: string]: CelValue } | CelMap {
  if (v instanceof CelMap) return true;
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The CEL type name of a value, as `type()` returns it and error messages print it. */
export function typeName(v: CelValue): string {
  switch (typeof v) {
    case "bigint":
      return "int";
    case "number":
      return "double";
    case "string":
      return "string";
    case "boolean":
      return "bool";
  }
  if (v === null) return "null_type";
  if (v instanceof CelUint) return "uint";
  if (v instanceof Uint8Array) return "bytes";
  if (Array.isArray(v)) return "list";
  if (isMap(v)) return "map";
  if (v instanceof Timestamp) return "google.protobuf.Timestamp";
  if (v instanceof Duration) return "google.protobuf.Duration";
  if (v instanceof Optional) return "optional_type";
  if (v instanceof CelType) return "type";
  if (isCelObject(v)) return v.celTypeName;
  return "unknown";
}

export function typeOf(v: CelValue): CelType {
  return celType(typeName(v));
}

// ---------------------------------------------------------------------------------------------------------
// Errors

export function noSuchOverload(fn: string, args: readonly CelValue[], receiver?: CelValue): CelError {
  const types = args.map(typeName).join(", ");
  const call = receiver === undefined ? `'(${types})'` : `'${typeName(receiver)}.(${types})'`;
  return new CelError(`found no matching overload for '${fn}' applied to ${call}`);
}

function noSuchKey(key: CelValue): CelError {
  return new CelError(`no such key: ${typeof key === "string" ? key : formatValue(key)}`);
}

/** A short rendering of a value for error messages. */
function formatValue(v: CelValue): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v instanceof CelUint) return `${v.value}u`;
  if (typeof v === "number") return formatDouble(v);
  if (v === null || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return typeName(v);
}

// ---------------------------------------------------------------------------------------------------------
// Maps

/** The value under `key` (CEL key equality: 1, 1u and 1.0 are one key), or undefined. */
export function mapGet(m: { readonly [key: string]: CelValue } | CelMap, key: CelValue): CelValue | undefined {
  if (m instanceof CelMap) return m.get(key);
  return typeof key === "string" && Object.hasOwn(m, key) ? m[key] : undefined;
}

export function mapKeys(m: { readonly [key: string]: CelValue } | CelMap): readonly CelValue[] {
  return m instanceof CelMap ? m.keys : Object.keys(m);
}

export function mapSize(m: { readonly [key: string]: CelValue } | CelMap): number {
  return m instanceof CelMap ? m.keys.length : Object.keys(m).length;
}

function checkKey(key: CelValue): CelValue {
  if (typeof key === "string" || typeof key === "bigint" || typeof key === "boolean" || key instanceof CelUint) {
    return key;
  }
  throw new CelError(`unsupported key type: ${typeName(key)}`);
}

/** A map from entries: a plain object when every key is a string, else a CelMap. */
export function makeMap(entries: readonly (readonly [CelValue, CelValue])[]): CelValue {
  if (entries.every(([k]) => typeof k === "string")) {
    const obj: Record<string, CelValue> = Object.create(null);
    for (const [k, v] of entries) {
      if (Object.hasOwn(obj, k as string)) throw new CelError("Failed with repeated key");
      obj[k as string] = v;
    }
    return obj;
  }
  return new CelMap(entries.map(([k, v]) => [checkKey(k), v] as const));
}

/** A map literal `{k: v, ?k2: opt}`: `optional` lists the entries written with `?`, kept only when present. */
export function mapLiteral(entries: readonly (readonly [CelValue, CelValue])[], optional: readonly number[]): CelValue {
  if (optional.length === 0) return makeMap(entries);
  const kept: (readonly [CelValue, CelValue])[] = [];
  entries.forEach(([k, v], i) => {
    if (!optional.includes(i)) kept.push([k, v]);
    else if (!(v instanceof Optional)) throw new CelError(`cannot initialize optional entry '${formatValue(k)}' from non-optional value`);
    else if (v.hasValue) kept.push([k, v.value as CelValue]);
  });
  return makeMap(kept);
}

/** A list literal `[a, ?b]`: `optional` lists the elements written with `?`, kept only when present. */
export function listLiteral(elements: CelValue[], optional: readonly number[]): readonly CelValue[] {
  if (optional.length === 0) return elements;
  const kept: CelValue[] = [];
  elements.forEach((e, i) => {
    if (!optional.includes(i)) kept.push(e);
    else if (!(e instanceof Optional)) throw new CelError("cannot initialize optional list element from non-optional value");
    else if (e.hasValue) kept.push(e.value as CelValue);
  });
  return kept;
}

function mapEntries(m: { readonly [key: string]: CelValue } | CelMap): (readonly [CelValue, CelValue])[] {
  return mapKeys(m).map((k) => [k, mapGet(m, k) as CelValue] as const);
}

/** A copy of a map with entries added; an existing key is an error (the two-variable comprehensions' insert). */
export function mapInsert(
  m: { readonly [key: string]: CelValue } | CelMap,
  added: readonly (readonly [CelValue, CelValue])[],
): CelValue {
  for (const [k] of added) {
    if (mapGet(m, k) !== undefined) throw new CelError(`insert failed: key ${formatValue(k)} already exists`);
  }
  return makeMap([...mapEntries(m), ...added]);
}

// ---------------------------------------------------------------------------------------------------------
// Equality and ordering

/** CEL `==`: heterogeneous (1 == 1u == 1.0), structural for lists and maps, false across types. */
export function equals(a: CelValue, b: CelValue): boolean {
  if (a === b) return typeof a !== "number" || !Number.isNaN(a);
  const x = numeric(a);
  if (x !== undefined) {
    const y = numeric(b);
    return y !== undefined && compareNumbers(x, y) === 0;
  }
  return typeof a === "object" && a !== null && objectEquals(a, b);
}

function objectEquals(a: object, b: CelValue): boolean {
  if (a instanceof Uint8Array) return b instanceof Uint8Array && compareBytes(a, b) === 0;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    if (a instanceof SetOrMapList) return unorderedEquals(a, b);
    for (let i = 0; i < a.length; i++) if (!equals(a[i], b[i])) return false;
    return true;
  }
  if (isMap(a)) {
    if (!isMap(b) || mapSize(a) !== mapSize(b)) return false;
    for (const k of mapKeys(a)) {
      const other = mapGet(b, k);
      if (other === undefined || !equals(mapGet(a, k) as CelValue, other)) return false;
    }
    return true;
  }
  if (a instanceof Timestamp || a instanceof Duration) {
    return b instanceof a.constructor && (b as Timestamp).seconds === a.seconds && (b as Timestamp).nanos === a.nanos;
  }
  if (a instanceof CelType) return b instanceof CelType && a.name === b.name;
  if (a instanceof Optional) {
    return b instanceof Optional && a.hasValue === b.hasValue && (!a.hasValue || equals(a.value as CelValue, b.value as CelValue));
  }
  if (isCelObject(a)) return isCelObject(b) && a.celTypeName === b.celTypeName && a.celEquals(b);
  return false;
}

/** The identity of a map-list item: its key fields (undefined when one is missing). */
function itemKey(list: SetOrMapList, item: CelValue): string | undefined {
  if (!isMap(item)) return undefined;
  let key = "";
  for (const field of list.mapKeys ?? []) {
    const v = mapGet(item, field);
    if (v === undefined) return undefined;
    key += `${typeName(v)}:${typeof v === "string" ? JSON.stringify(v) : formatValue(v)};`;
  }
  return key;
}

/** A set or map list against another list of its size: every item of `b` has its equal (map: the item of its key) in `a`. */
function unorderedEquals(a: SetOrMapList, b: readonly CelValue[]): boolean {
  if (!a.mapKeys) return b.every((item) => a.some((x) => equals(x, item)));
  const byKey = new Map(a.map((x) => [itemKey(a, x), x]));
  return b.every((item) => {
    const key = itemKey(a, item);
    const match = key === undefined ? undefined : byKey.get(key);
    return match !== undefined && equals(match, item);
  });
}

/**
 * `a + b`: concatenation, except that a set or map list on the left merges (kube's unstructuredSetList.Add and
 * unstructuredMapList.Add): a set appends the items of `b` it lacks; a map list replaces its items whose key `b`
 * has, in place, and appends the others.
 */
export function addLists(a: readonly CelValue[], b: readonly CelValue[]): readonly CelValue[] {
  if (!(a instanceof SetOrMapList)) return [...a, ...b];
  const merged = new SetOrMapList(a.mapKeys);
  merged.push(...a);
  const positions = new Map(a.mapKeys ? a.map((x, i) => [itemKey(a, x), i]) : []);
  for (const item of b) {
    if (!a.mapKeys) {
      if (!merged.some((x) => equals(x, item))) merged.push(item);
      continue;
    }
    const key = itemKey(a, item);
    const at = key === undefined ? undefined : positions.get(key);
    if (at === undefined) {
      if (key !== undefined) positions.set(key, merged.length);
      merged.push(item);
    } else {
      merged[at] = item;
    }
  }
  return merged;
}

/**
 * CEL ordering for `<`, `<=`, `>`, `>=`: negative, zero or positive, NaN when unordered (a NaN operand);
 * numbers compare across int, uint and double. Incomparable operands have no overload.
 */
export function compare(fn: string, a: CelValue, b: CelValue): number {
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return compareNumbers(x, y);
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  if ((a instanceof Timestamp && b instanceof Timestamp) || (a instanceof Duration && b instanceof Duration)) {
    return a.seconds === b.seconds ? a.nanos - b.nanos : a.seconds < b.seconds ? -1 : 1;
  }
  throw noSuchOverload(fn, [a, b]);
}

function numeric(v: CelValue): bigint | number | undefined {
  if (typeof v === "bigint" || typeof v === "number") return v;
  return v instanceof CelUint ? v.value : undefined;
}

/** Numbers across int, uint (as their bigint value) and double; a NaN operand is unordered. */
function compareNumbers(x: bigint | number, y: bigint | number): number {
  if (typeof x === "bigint" && typeof y === "bigint") return x < y ? -1 : x > y ? 1 : 0;
  // Like cel-go, an integer meets a double as a double: 2^63-1 equals 2^63.0.
  const a = Number(x);
  const b = Number(y);
  return a < b ? -1 : a > b ? 1 : a === b ? 0 : Number.NaN;
}

/** Strings order by code point (UTF-16 code-unit order differs above U+FFFF). */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Surrogates (code points above U+FFFF) rank after every other code unit. */
function codePointRank(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

// ---------------------------------------------------------------------------------------------------------
// Numbers

const UINT64_MAX = 0xffff_ffff_ffff_ffffn;
const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;

export function divideInt(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new CelError("divide by zero");
  if (a === INT64_MIN && b === -1n) throw new CelError("return error for overflow");
  return a / b;
}

export function moduloInt(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new CelError("modulus by zero");
  if (a === INT64_MIN && b === -1n) throw new CelError("return error for overflow");
  return a % b;
}

export function divideUint(a: CelUint, b: CelUint): CelUint {
  if (b.value === 0n) throw new CelError("divide by zero");
  return new CelUint(a.value / b.value);
}

export function moduloUint(a: CelUint, b: CelUint): CelUint {
  if (b.value === 0n) throw new CelError("modulus by zero");
  return new CelUint(a.value % b.value);
}

export function toInt(v: CelValue): bigint {
  if (typeof v === "bigint") return v;
  if (v instanceof CelUint) {
    if (v.value > INT64_MAX) throw new CelError(`range error converting ${v.value}u to int`);
    return v.value;
  }
  if (typeof v === "number") {
    if (Number.isNaN(v) || v <= -TWO_63 || v >= TWO_63) throw new CelError(`range error converting ${formatDouble(v)} to int`);
    return BigInt(Math.trunc(v));
  }
  if (typeof v === "string") {
    if (!/^[+-]?\d+$/.test(v)) throw new CelError(`type conversion error from 'string' to 'int': '${v}'`);
    const n = BigInt(v);
    if (n < INT64_MIN || n > INT64_MAX) throw new CelError(`range error converting '${v}' to int`);
    return n;
  }
  if (v instanceof Timestamp) return v.seconds;
  throw noSuchOverload("int", [v]);
}

export function toUint(v: CelValue): CelUint {
  if (v instanceof CelUint) return v;
  if (typeof v === "bigint") {
    if (v < 0n) throw new CelError(`range error converting ${v} to uint`);
    return new CelUint(v);
  }
  if (typeof v === "number") {
    if (Number.isNaN(v) || v < 0 || v >= TWO_64) throw new CelError(`range error converting ${formatDouble(v)} to uint`);
    return new CelUint(BigInt(Math.trunc(v)));
  }
  if (typeof v === "string") {
    if (!/^\d+$/.test(v)) throw new CelError(`type conversion error from 'string' to 'uint': '${v}'`);
    const n = BigInt(v);
    if (n > UINT64_MAX) throw new CelError(`range error converting '${v}' to uint`);
    return new CelUint(n);
  }
  throw noSuchOverload("uint", [v]);
}

export function toDouble(v: CelValue): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof CelUint) return Number(v.value);
  if (typeof v === "string") return parseGoFloat(v);
  throw noSuchOverload("double", [v]);
}

/** Go's strconv.ParseFloat: decimal or hex floats, inf/infinity/nan in any case; out of range is an error. */
function parseGoFloat(s: string): number {
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (special) {
    if ((special[2] as string).toLowerCase() === "nan") return Number.NaN;
    return special[1] === "-" ? -Infinity : Infinity;
  }
  let value: number;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    value = Number(s);
  } else {
    const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(s);
    if (!hex || (hex[2] === "" && hex[3] === "")) throw new CelError(`type conversion error from 'string' to 'double': '${s}'`);
    const [, sign, whole, fraction, exponent] = hex as unknown as [string, string, string, string, string];
    const mantissa = Number.parseInt(whole + fraction || "0", 16);
    value = (sign === "-" ? -1 : 1) * mantissa * 2 ** (Number(exponent) - 4 * fraction.length);
  }
  if (!Number.isFinite(value)) throw new CelError(`range error converting '${s}' to double`);
  return value;
}

/** The shortest decimal digits of a finite, nonzero double and its decimal exponent (d.ddd × 10^exp). */
function shortestDigits(x: number): { digits: string; exp: number } {
  const [mantissa, exponent] = Math.abs(x).toExponential().split("e") as [string, string];
  return { digits: mantissa.replace(".", ""), exp: Number(exponent) };
}

/** Go's %g (strconv 'g', shortest): what cel-go's string(double) and debug output print. */
export function formatDouble(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : "-Inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const sign = x < 0 ? "-" : "";
  const { digits, exp } = shortestDigits(x);
  // Go switches to an exponent below 1e-4 and, for shortest output, from 1e6 (so 2.99792e+08).
  if (exp < -4 || exp >= 6) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const e = Math.abs(exp).toString().padStart(2, "0");
    return `${sign}${digits[0]}${frac}e${exp < 0 ? "-" : "+"}${e}`;
  }
  return sign + fixedFromDigits(digits, exp);
}

/** Digits d1d2… with value d1.d2… × 10^exp in plain decimal notation. */
function fixedFromDigits(digits: string, exp: number): string {
  if (exp < 0) return `0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return digits + "0".repeat(exp + 1 - digits.length);
  return `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** Go's strconv.FormatFloat(x, 'f', -1, 64): shortest digits, never an exponent. */
function formatFixed(x: number): string {
  if (x === 0) return "0";
  const { digits, exp } = shortestDigits(x);
  return (x < 0 ? "-" : "") + fixedFromDigits(digits, exp);
}

export function toCelString(v: CelValue): string {
  if (typeof v === "string") return v;
  if (typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (v instanceof CelUint) return String(v.value);
  if (typeof v === "number") return formatDouble(v);
  if (v instanceof Uint8Array) {
    try {
      return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(v);
    } catch {
      throw new CelError("invalid UTF-8 in bytes, cannot convert to string");
    }
  }
  if (v instanceof Timestamp) return formatTimestamp(v);
  if (v instanceof Duration) return `${formatFixed(Number(v.seconds) + v.nanos / 1e9)}s`;
  throw noSuchOverload("string", [v]);
}

export function toBool(v: CelValue): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "string") {
    if (["1", "t", "T", "TRUE", "true", "True"].includes(v)) return true;
    if (["0", "f", "F", "FALSE", "false", "False"].includes(v)) return false;
    throw new CelError(`type conversion error from 'string' to 'bool': '${v}'`);
  }
  throw noSuchOverload("bool", [v]);
}

// ---------------------------------------------------------------------------------------------------------
// Strings

const LOW_SURROGATE = /[\udc00-\udfff]/;

/** String length in code points: UTF-16 units less the second halves of surrogate pairs (a regex finds them fastest). */
export function stringSize(s: string): number {
  if (!LOW_SURROGATE.test(s)) return s.length;
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) n--;
  }
  return n;
}

/**
 * The sign of stringSize(s) - n. A code point takes one or two UTF-16 units, so the length alone tells unless it
 * is between n and 2n.
 */
export function compareStringSize(s: string, n: number): number {
  if (s.length < n) return -1;
  if (s.length > 2 * n) return 1;
  const size = stringSize(s);
  return size < n ? -1 : size > n ? 1 : 0;
}

const regexCache = new Map<string, (s: string) => boolean>();

/** RE2 `matches`: true when the pattern matches anywhere in the string. Compiled patterns are cached. */
export function matches(s: string, pattern: string): boolean {
  let test = regexCache.get(pattern);
  if (!test) {
    test = compileRegex(pattern);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(pattern, test);
  }
  return test(s);
}

/** `matches` with a pattern known in advance (a literal), compiled now (Overload.specialize). */
export function compileRegex(pattern: string): (s: string) => boolean {
  let re2: RE2JS;
  try {
    re2 = RE2JS.compile(pattern);
  } catch (e) {
    // RE2JS reports as Go's regexp package does ("error parsing regexp: ..."), which cel-go passes on.
    throw new CelError((e as Error).message);
  }
  const js = toJsRegExp(pattern);
  return js ? (s) => js.test(s) : (s) => re2.test(s);
}

/**
 * A JavaScript RegExp that matches exactly what the RE2 pattern matches, or undefined when the pattern uses
 * anything outside the subset where the two provably agree (literals, '.', classes of literals and ranges,
 * \d \w \s and their negations, anchors and word boundaries, groups, alternation and greedy or lazy repetition),
 * for whole matches (groups do not capture). The RE2 meanings are spelled out (RE2's '.' excludes only \n, its \s
 * is [\t\n\f\r ]); the 'u' flag makes the RegExp work on code points as RE2 does. The pattern is valid RE2
 * (RE2JS compiled it first).
 */
export function toJsRegExp(pattern: string): RegExp | undefined {
  let out = "";
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "\\") {
      const e = pattern[i + 1];
      if (e === undefined) return undefined;
      i += 2;
      const lower = e.toLowerCase();
      if (e in CLASS_ESCAPES) out += `[${CLASS_ESCAPES[e]}]`;
      else if (lower !== e && lower in CLASS_ESCAPES) out += `[^${CLASS_ESCAPES[lower]}]`;
      else if (lower === "b") out += `\\${e}`; // word boundaries: ASCII word characters in both
      else if (e in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[e];
      else if (ASCII_PUNCTUATION.test(e)) out += literal(e);
      else return undefined;
    } else if (c === "[") {
      const end = classBody(pattern, i + 1);
      if (end === undefined) return undefined;
      out += end.text;
      i = end.next;
    } else if (c === "(") {
      // Groups do not capture: only whole matches are used, and V8 matches faster without recording groups.
      if (pattern[i + 1] === "?") {
        if (pattern[i + 2] !== ":") return undefined;
        i += 3;
      } else {
        i++;
      }
      out += "(?:";
    } else if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (m) {
        out += m[0];
        i += m[0].length;
      } else {
        out += "\\{";
        i++;
      }
    } else if (c === ".") {
      out += "[^\\n]";
      i++;
    } else if ("^$*+?)|".includes(c)) {
      out += c;
      i++;
    } else {
      const ch = String.fromCodePoint(pattern.codePointAt(i) as number);
      out += literal(ch);
      i += ch.length;
    }
  }
  try {
    return new RegExp(out, "u");
  } catch {
    return undefined;
  }
}

/** A character class of literals, ranges and \d \w \s escapes, from after '['; undefined otherwise. */
function classBody(pattern: string, start: number): { text: string; next: number } | undefined {
  let i = start;
  let text = "[";
  if (pattern[i] === "^") {
    text += "^";
    i++;
  }
  if (pattern[i] === "]") return undefined; // RE2 reads a leading ']' as a literal; JavaScript as an empty class
  let first = true;
  let afterSingle = false; // the last item was a single character, so '-' may start a range
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "]") return { text: `${text}]`, next: i + 1 };
    if (c === "[") return undefined; // POSIX classes such as [:alpha:]
    let single = false;
    if (c === "\\") {
      const e = pattern[i + 1];
      if (e === undefined) return undefined;
      if (e in CLASS_ESCAPES) text += CLASS_ESCAPES[e];
      else if (e in SIMPLE_ESCAPES) [text, single] = [text + SIMPLE_ESCAPES[e], true];
      else if (ASCII_PUNCTUATION.test(e)) [text, single] = [text + (e === "-" ? "\\-" : literal(e)), true];
      else return undefined;
      i += 2;
    } else if (c === "-") {
      if (first || pattern[i + 1] === "]") text += "\\-";
      else if (afterSingle) text += "-";
      else return undefined;
      i++;
      // After a range's '-', the next character ends the range and cannot start another.
      if (!first && pattern[i] !== "]") {
        const ch = String.fromCodePoint(pattern.codePointAt(i) as number);
        if (ch === "\\" || ch === "[") return undefined;
        text += literal(ch);
        i += ch.length;
      }
    } else {
      const ch = String.fromCodePoint(pattern.codePointAt(i) as number);
      text += literal(ch);
      i += ch.length;
      single = true;
    }
    first = false;
    afterSingle = single;
  }
  return undefined;
}

const CLASS_ESCAPES: Record<string, string> = { d: "0-9", w: "0-9A-Za-z_", s: "\\t\\n\\f\\r " };
const SIMPLE_ESCAPES: Record<string, string> = { t: "\\t", n: "\\n", r: "\\r", f: "\\f", v: "\\v" };
const ASCII_PUNCTUATION = /^[!-/:-@[-`{-~]$/;

/** A character that matches itself, escaped where JavaScript's unicode mode requires it. */
function literal(c: string): string {
  return /^[\\^$.*+?()[\]{}|/]$/.test(c) ? `\\${c}` : c;
}

// ---------------------------------------------------------------------------------------------------------
// Timestamps and durations

const NANOS = 1_000_000_000n;
const MIN_TIMESTAMP_SECONDS = -62135596800n; // 0001-01-01T00:00:00Z
const MAX_TIMESTAMP_SECONDS = 253402300799n; // 9999-12-31T23:59:59Z

export function timestampFromNanos(total: bigint): Timestamp {
  let seconds = total / NANOS;
  let nanos = total % NANOS;
  if (nanos < 0n) {
    nanos += NANOS;
    seconds -= 1n;
  }
  if (seconds < MIN_TIMESTAMP_SECONDS || seconds > MAX_TIMESTAMP_SECONDS) throw new CelError("timestamp out of range");
  return new Timestamp(seconds, Number(nanos));
}

export function durationFromNanos(total: bigint): Duration {
  if (total < INT64_MIN || total > INT64_MAX) throw new CelError("duration out of range");
  return new Duration(total / NANOS, Number(total % NANOS));
}

export function nanosOf(t: Timestamp | Duration): bigint {
  return t.seconds * NANOS + BigInt(t.nanos);
}

export function timestampFromSeconds(seconds: bigint): Timestamp {
  return timestampFromNanos(seconds * NANOS);
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const RFC3339 = /^(\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** Go's time.Parse(time.RFC3339, s), then CEL's range of years 1 to 9999. */
export function parseTimestamp(s: string): Timestamp {
  const m = RFC3339.exec(s);
  if (!m) throw new CelError(`timestamp('${s}') is not an RFC 3339 timestamp`);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const monthDays = [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (month < 1 || month > 12 || day < 1 || day > (monthDays[month - 1] as number) || hour > 23 || minute > 59 || second > 59) {
    throw new CelError(`timestamp('${s}') is out of range`);
  }
  const offset = m[8] ? (m[8] === "-" ? -1 : 1) * (Number(m[9]) * 3600 + Number(m[10]) * 60) : 0;
  const seconds = BigInt(daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset);
  const nanos = BigInt((m[7] ?? "").padEnd(9, "0"));
  return timestampFromNanos(seconds * NANOS + nanos);
}

/** Go's RFC 3339 with nanoseconds (trailing zeros dropped), in UTC. */
function formatTimestamp(t: Timestamp): string {
  const days = Math.floor(Number(t.seconds) / 86400);
  const secondOfDay = Number(t.seconds) - days * 86400;
  const { year, month, day } = civilFromDays(days);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const time = `${pad(Math.floor(secondOfDay / 3600))}:${pad(Math.floor(secondOfDay / 60) % 60)}:${pad(secondOfDay % 60)}`;
  const fraction = t.nanos === 0 ? "" : `.${pad(t.nanos, 9).replace(/0+$/, "")}`;
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${time}${fraction}Z`;
}

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n, us: 1000n, "µs": 1000n, "μs": 1000n, ms: 1_000_000n, s: NANOS, m: 60n * NANOS, h: 3600n * NANOS,
};

/** Go's time.ParseDuration ("1h30m", "-1.5s", "300ms"), exact to the nanosecond. */
export function parseDuration(s: string): Duration {
  const invalid = () => new CelError(`invalid duration '${s}'`);
  let rest = s;
  let negative = false;
  if (rest[0] === "-" || rest[0] === "+") {
    negative = rest[0] === "-";
    rest = rest.slice(1);
  }
  if (rest === "0") return new Duration(0n, 0);
  if (rest === "") throw invalid();
  let total = 0n;
  const component = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (rest !== "") {
    const m = component.exec(rest);
    if (!m || (m[1] === "" && (m[2] ?? "") === "")) throw invalid();
    const unit = DURATION_UNITS[m[3] as string] as bigint;
    const fraction = m[2] ?? "";
    total += BigInt(m[1] || "0") * unit + (fraction ? (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length) : 0n);
    if (total > INT64_MAX) throw new CelError(`duration out of range: '${s}'`);
    rest = rest.slice(m[0].length);
  }
  return durationFromNanos(negative ? -total : total);
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** The offset from UTC, in seconds, of a time zone (IANA name or `[+-]hh:mm`) at an instant. */
function zoneOffset(zone: string, seconds: bigint): number {
  const colon = zone.indexOf(":");
  if (colon >= 0) {
    const hours = zone.slice(0, colon);
    const minutes = zone.slice(colon + 1);
    if (!/^[+-]?\d+$/.test(hours) || !/^[+-]?\d+$/.test(minutes)) throw new CelError(`unknown time zone ${zone}`);
    const total = Number(hours) * 60 + (zone[0] === "-" ? -Number(minutes) : Number(minutes));
    return total * 60;
  }
  if (zone === "UTC") return 0;
  let format = zoneFormats.get(zone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" });
    } catch {
      throw new CelError(`unknown time zone ${zone}`);
    }
    zoneFormats.set(zone, format);
  }
  // "GMT", "GMT-03:30" or, for local mean time, "GMT+00:09:21".
  const name = format.formatToParts(new Date(Number(seconds) * 1000)).find((p) => p.type === "timeZoneName")?.value ?? "";
  const m = /^GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(name);
  if (!m) throw new CelError(`unknown time zone ${zone}`);
  return (m[1] === "-" ? -1 : 1) * (Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0));
}

export type TimeField = "fullYear" | "month" | "dayOfYear" | "dayOfMonth" | "date" | "dayOfWeek" | "hours" | "minutes" | "seconds" | "milliseconds";

/** A calendar field of a timestamp in a time zone (UTC by default), as cel-go's getters compute it. */
export function timestampField(t: Timestamp, field: TimeField, zone = "UTC"): bigint {
  const local = Number(t.seconds) + zoneOffset(zone, t.seconds);
  const days = Math.floor(local / 86400);
  const secondOfDay = local - days * 86400;
  const { year, month, day } = civilFromDays(days);
  switch (field) {
    case "fullYear":
      return BigInt(year);
    case "month":
      return BigInt(month - 1);
    case "dayOfYear":
      return BigInt(days - daysFromCivil(year, 1, 1));
    case "dayOfMonth":
      return BigInt(day - 1);
    case "date":
      return BigInt(day);
    case "dayOfWeek":
      return BigInt((((days + 4) % 7) + 7) % 7); // 1970-01-01 was a Thursday
    case "hours":
      return BigInt(Math.floor(secondOfDay / 3600));
    case "minutes":
      return BigInt(Math.floor(secondOfDay / 60) % 60);
    case "seconds":
      return BigInt(secondOfDay % 60);
    case "milliseconds":
      return BigInt(Math.floor(t.nanos / 1e6));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Field selection, presence and indexing (including cel-go's optional chaining)

/** `a.f`: a map entry; on an optional, the entry as an optional (none when absent). */
export function select(operand: CelValue, field: string): CelValue {
  if (typeof operand === "object" && operand !== null) {
    // Objects from JSON first: the field of nearly every rule.
    const proto = Object.getPrototypeOf(operand);
    if (proto === Object.prototype || proto === null) {
      const v = (operand as Record<string, CelValue>)[field];
      // Inherited members are functions, or the prototype itself for __proto__: own values are neither.
      if (v !== undefined && typeof v !== "function" && (field !== "__proto__" || Object.hasOwn(operand, field))) return v;
      throw noSuchKey(field);
    }
    if (operand instanceof CelMap) {
      const v = operand.get(field);
      if (v === undefined) throw noSuchKey(field);
      return v;
    }
    if (operand instanceof Optional) return optSelect(operand, field);
  }
  throw new CelError(`type '${typeName(operand)}' does not support field selection`);
}

/** `has(a.f)`. */
export function has(operand: CelValue, field: string): boolean {
  if (isMap(operand)) return mapGet(operand, field) !== undefined;
  if (operand instanceof Optional) return operand.hasValue && has(operand.value as CelValue, field);
  throw noSuchOverload("has", [operand]);
}

/** `a.?f`: the entry as an optional. */
export function optSelect(operand: CelValue, field: string): Optional {
  const target = operand instanceof Optional ? operand : Optional.of(operand);
  if (!target.hasValue) return Optional.none;
  const value = target.value as CelValue;
  // cel-go's optional qualifiers report any value without the field as lacking the key.
  if (!isMap(value)) throw noSuchKey(field);
  const v = mapGet(value, field);
  return v === undefined ? Optional.none : Optional.of(v);
}

/** `a[i]`: list element or map value; on an optional, the element as an optional (none when absent). */
export function index(operand: CelValue, key: CelValue): CelValue {
  if (Array.isArray(operand)) {
    const i = listIndex(key, operand.length);
    if (i === undefined) throw new CelError(`index '${formatValue(key)}' out of range in list size '${operand.length}'`);
    return operand[i];
  }
  if (isMap(operand)) {
    const v = mapGet(operand, key);
    if (v === undefined) throw noSuchKey(key);
    return v;
  }
  if (operand instanceof Optional) return optIndex(operand, key);
  throw noSuchOverload("_[_]", [operand, key]);
}

/** `a[?i]`: the element as an optional. */
export function optIndex(operand: CelValue, key: CelValue): Optional {
  const target = operand instanceof Optional ? operand : Optional.of(operand);
  if (!target.hasValue) return Optional.none;
  const value = target.value as CelValue;
  if (Array.isArray(value)) {
    const i = listIndex(key, value.length);
    return i === undefined ? Optional.none : Optional.of(value[i]);
  }
  if (isMap(value)) {
    const v = mapGet(value, key);
    return v === undefined ? Optional.none : Optional.of(v);
  }
  throw noSuchOverload("_[?_]", [value, key]);
}

/** A list position from an int, uint or integral double index; undefined when out of range. */
function listIndex(key: CelValue, length: number): number | undefined {
  let i: number;
  if (typeof key === "bigint") i = Number(key);
  else if (key instanceof CelUint) i = Number(key.value);
  else if (typeof key === "number" && Number.isInteger(key)) i = key;
  else throw new CelError(`unsupported index type '${typeName(key)}' in list`);
  return i >= 0 && i < length ? i : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Logic and errors as values

/** An error held as a value where CEL lets a later term absorb it (`&&`, `||`, comprehension accumulators). */
export class Failed {
  readonly error: unknown;

  constructor(error: unknown) {
    this.error = error;
  }
}

/** The value of a term that may have failed: throws the error it holds. */
export function val<T>(v: T | Failed): T {
  if (v instanceof Failed) throw v.error;
  return v;
}

function logic(fn: string, l: CelValue | Failed, r: CelValue | Failed, absorbing: boolean): boolean {
  if (l === absorbing || r === absorbing) return absorbing;
  if (l === !absorbing && r === !absorbing) return !absorbing;
  // cel-go reports the first term's error first; a non-bool term has no overload.
  for (const term of [l, r]) {
    if (term instanceof Failed) throw term.error;
    if (typeof term !== "boolean") throw noSuchOverload(fn, [l, r].map((t) => (t instanceof Failed ? null : t)));
  }
  throw new Error("unreachable");
}

/** `l && r` with errors absorbed commutatively: false wins over an error, which wins over true. */
export function and(l: CelValue | Failed, r: CelValue | Failed): boolean {
  return logic("_&&_", l, r, false);
}

/** `l || r`: true wins over an error, which wins over false. */
export function or(l: CelValue | Failed, r: CelValue | Failed): boolean {
  return logic("_||_", l, r, true);
}

/** The condition of `?:` must be a bool. */
export function condition(c: CelValue): boolean {
  if (typeof c !== "boolean") throw noSuchOverload("_?_:_", [c]);
  return c;
}

/** `!b`. */
export function not(b: CelValue): boolean {
  if (typeof b !== "boolean") throw noSuchOverload("!_", [b]);
  return !b;
}

/** A referenced variable that is not bound. */
export function unbound(name: string): never {
  throw new CelError(`undeclared reference to '${name}' (in container '')`);
}

/** Looks up an undeclared identifier in the variables given at run time. */
export function lookup(vars: Readonly<Record<string, CelValue>>, name: string): CelValue {
  const v = Object.hasOwn(vars, name) ? vars[name] : undefined;
  return v === undefined ? unbound(name) : v;
}

// ---------------------------------------------------------------------------------------------------------
// Cost

/** A metered program's actual cost so far, in cel-go cost units. */
export interface CostMeter {
  cost: number;
}

/** The actual cost one evaluation may reach (k8s.io/apiserver/pkg/apis/cel PerCallLimit). */
export const PER_CALL_LIMIT = 1_000_000;

/** Adds to a metered program's cost, cancelling the evaluation past the per-call limit as cel-go does. */
export function charge(meter: CostMeter, units: number): void {
  if ((meter.cost += units) > PER_CALL_LIMIT) throw new CelError("operation cancelled: actual cost limit exceeded");
}

// ---------------------------------------------------------------------------------------------------------
// Comprehensions

/** What a one-variable comprehension iterates: list elements or map keys. */
export function range(v: CelValue): readonly CelValue[] {
  if (Array.isArray(v)) return v;
  if (isMap(v)) return mapKeys(v);
  throw new CelError(`expression of type '${typeName(v)}' cannot be the range of a comprehension`);
}

/** What a two-variable comprehension iterates: (index, element) of a list or (key, value) of a map. */
export function pairs(v: CelValue): { keys: readonly CelValue[] | undefined; values: readonly CelValue[] } {
  if (Array.isArray(v)) return { keys: undefined, values: v };
  if (isMap(v)) {
    const keys = mapKeys(v);
    return { keys, values: keys.map((k) => mapGet(v, k) as CelValue) };
  }
  throw new CelError(`expression of type '${typeName(v)}' cannot be the range of a comprehension`);
}

/** The helpers compiled code calls as `rt.<name>`; registry.ts adds the function dispatchers as `rt.fn`. */
export const helpers = {
  charge,
  CelUint,
  Optional,
  Failed,
  val,
  and,
  or,
  condition,
  unbound,
  lookup,
  select,
  has,
  optSelect,
  index,
  optIndex,
  range,
  pairs,
  listLiteral,
  mapLiteral,
  bytes: (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)),
  compareStringSize,
};

export type Helpers = typeof helpers;

/** A compiled function's view of a call site: the overloads of one function name and arity, resolved at run time. */
export type Dispatcher = (...args: CelValue[]) => CelValue;

export interface Runtime extends Helpers {
  /** Dispatchers by call key (see registry.ts `callKey`). */
  readonly fn: Readonly<Record<string, Dispatcher>>;
  /** Overload implementations by overload id, for call sites that know (or test) their argument types. */
  readonly impls: Readonly<Record<string, Dispatcher>>;
  /** What each call costs at run time (Overload.runtimeCost, else 1), by call key, given the call's arguments. */
  readonly costs: Readonly<Record<string, (...args: CelValue[]) => number>>;
  /** An overload's implementation for a constant last argument (Overload.specialize), taking the others. */
  readonly specialize: (id: string, constant: CelValue) => Dispatcher;
  /** Type values by the names expressions may use (`int`, `net.IP`). */
  readonly types: Readonly<Record<string, CelType>>;
  /** The conversion of decoded JSON of a schema node to what rules see (schema-values.ts), for JSON-mode programs. */
  readonly converter: (schema: JSONSchemaProps, isResourceRoot: boolean) => (value: unknown) => CelValue;
}
