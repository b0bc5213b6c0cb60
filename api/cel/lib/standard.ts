// The CEL standard library as a Library: operators, size, string predicates, regex matching, conversions,
// timestamps and durations, with cel-go's overload ids and signatures (common/overloads) and its cost model
// (checker/cost.go, interpreter/runtimecost.go) for the functions whose cost depends on their arguments.
// `_&&_`, `_||_`, `_?_:_`, `@not_strictly_false` and `_[_]` are declared here for the type checker; compiled
// code evaluates them inline (compile.ts) because of their short-circuit and error-absorbing semantics.
import { REGEX_STRING_LENGTH_COST_FACTOR, STRING_TRAVERSAL_COST_FACTOR } from "../cost.ts";
import type { Library, Overload, TypeText } from "../functions.ts";
import {
  addLists,
  compare,
  compareStrings,
  compileRegex,
  divideInt,
  divideUint,
  durationFromNanos,
  equals,
  index,
  mapGet,
  mapInsert,
  mapKeys,
  matches,
  moduloInt,
  moduloUint,
  nanosOf,
  not,
  parseDuration,
  parseTimestamp,
  type TimeField,
  timestampField,
  timestampFromNanos,
  timestampFromSeconds,
  toBool,
  toCelString,
  toDouble,
  toInt,
  toUint,
  typeOf,
} from "../runtime.ts";
import { type CelValue, CelUint, Duration, int, Timestamp } from "../values.ts";
import { actualSize, scaledSize } from "./actual-cost.ts";

type Impl = (...args: never[]) => CelValue;
type Extra = Pick<Overload, "runtimeCost" | "specialize">;

function global(id: string, name: string, params: TypeText[], result: TypeText, impl: Impl, extra: Extra = {}): Overload {
  return { id, name, params, result, impl, ...extra };
}

function method(id: string, name: string, receiver: TypeText, params: TypeText[], result: TypeText, impl: Impl, extra: Extra = {}): Overload {
  return { id, name, receiver, params, result, impl, ...extra };
}

// --- run-time cost (cel-go interpreter/runtimecost.go); the static estimates of these functions are built
// into api/cel/cost.ts, as they are into cel-go's estimator.

const TRAVERSAL = STRING_TRAVERSAL_COST_FACTOR;

/** Cost proportional to the size of one argument (receiver first). */
const traversal = (i: number): Extra => ({ runtimeCost: (args) => scaledSize(args[i] as CelValue, TRAVERSAL) });

/** Concatenation: proportional to the size of the result. */
const concatenation: Extra = {
  runtimeCost: (args) => Math.ceil((actualSize(args[0] as CelValue) + actualSize(args[1] as CelValue)) * TRAVERSAL),
};

/** Comparing strings, bytes or (for equality) anything: proportional to the smaller operand. */
const comparison: Extra = {
  runtimeCost: (args) => Math.ceil(Math.min(actualSize(args[0] as CelValue), actualSize(args[1] as CelValue)) * TRAVERSAL),
};

// --- operators

const arithmetic: Overload[] = [
  global("add_int64", "_+_", ["int", "int"], "int", (a: bigint, b: bigint) => int(a + b)),
  global("add_uint64", "_+_", ["uint", "uint"], "uint", (a: CelUint, b: CelUint) => new CelUint(a.value + b.value)),
  global("add_double", "_+_", ["double", "double"], "double", (a: number, b: number) => a + b),
  global("add_string", "_+_", ["string", "string"], "string", (a: string, b: string) => a + b, concatenation),
  global("add_bytes", "_+_", ["bytes", "bytes"], "bytes", (a: Uint8Array, b: Uint8Array) => {
    const out = new Uint8Array(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  }, concatenation),
  global("add_list", "_+_", ["list(A)", "list(A)"], "list(A)", addLists),
  global("add_timestamp_duration", "_+_", ["google.protobuf.Timestamp", "google.protobuf.Duration"], "google.protobuf.Timestamp",
    (t: Timestamp, d: Duration) => timestampFromNanos(nanosOf(t) + nanosOf(d))),
  global("add_duration_timestamp", "_+_", ["google.protobuf.Duration", "google.protobuf.Timestamp"], "google.protobuf.Timestamp",
    (d: Duration, t: Timestamp) => timestampFromNanos(nanosOf(t) + nanosOf(d))),
  global("add_duration_duration", "_+_", ["google.protobuf.Duration", "google.protobuf.Duration"], "google.protobuf.Duration",
    (a: Duration, b: Duration) => durationFromNanos(nanosOf(a) + nanosOf(b))),

  global("subtract_int64", "_-_", ["int", "int"], "int", (a: bigint, b: bigint) => int(a - b)),
  global("subtract_uint64", "_-_", ["uint", "uint"], "uint", (a: CelUint, b: CelUint) => new CelUint(a.value - b.value)),
  global("subtract_double", "_-_", ["double", "double"], "double", (a: number, b: number) => a - b),
  global("subtract_timestamp_timestamp", "_-_", ["google.protobuf.Timestamp", "google.protobuf.Timestamp"], "google.protobuf.Duration",
    (a: Timestamp, b: Timestamp) => durationFromNanos(nanosOf(a) - nanosOf(b))),
  global("subtract_timestamp_duration", "_-_", ["google.protobuf.Timestamp", "google.protobuf.Duration"], "google.protobuf.Timestamp",
    (t: Timestamp, d: Duration) => timestampFromNanos(nanosOf(t) - nanosOf(d))),
  global("subtract_duration_duration", "_-_", ["google.protobuf.Duration", "google.protobuf.Duration"], "google.protobuf.Duration",
    (a: Duration, b: Duration) => durationFromNanos(nanosOf(a) - nanosOf(b))),

  global("multiply_int64", "_*_", ["int", "int"], "int", (a: bigint, b: bigint) => int(a * b)),
  global("multiply_uint64", "_*_", ["uint", "uint"], "uint", (a: CelUint, b: CelUint) => new CelUint(a.value * b.value)),
  global("multiply_double", "_*_", ["double", "double"], "double", (a: number, b: number) => a * b),

  global("divide_int64", "_/_", ["int", "int"], "int", divideInt),
  global("divide_uint64", "_/_", ["uint", "uint"], "uint", divideUint),
  global("divide_double", "_/_", ["double", "double"], "double", (a: number, b: number) => a / b),

  global("modulo_int64", "_%_", ["int", "int"], "int", moduloInt),
  global("modulo_uint64", "_%_", ["uint", "uint"], "uint", moduloUint),

  global("negate_int64", "-_", ["int"], "int", (a: bigint) => int(-a)),
  global("negate_double", "-_", ["double"], "double", (a: number) => -a),
];

const logic: Overload[] = [
  global("logical_not", "!_", ["bool"], "bool", not),
  global("logical_and", "_&&_", ["bool", "bool"], "bool", (a: boolean, b: boolean) => a && b),
  global("logical_or", "_||_", ["bool", "bool"], "bool", (a: boolean, b: boolean) => a || b),
  global("conditional", "_?_:_", ["bool", "A", "A"], "A", (c: boolean, a: CelValue, b: CelValue) => (c ? a : b)),
  global("not_strictly_false", "@not_strictly_false", ["bool"], "bool", (b: CelValue) => b !== false),
];

const equality: Overload[] = [
  global("equals", "_==_", ["A", "A"], "bool", equals, comparison),
  global("not_equals", "_!=_", ["A", "A"], "bool", (a: CelValue, b: CelValue) => !equals(a, b), comparison),
];

type Ordering = (a: never, b: never) => number;

/** The operand types each ordering operator accepts, by cel-go overload-id suffix, and how they compare. */
const ORDERED: [string, TypeText, TypeText, Ordering | undefined][] = [
  ["bool", "bool", "bool", (a: boolean, b: boolean) => Number(a) - Number(b)],
  ["int64", "int", "int", (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0)],
  ["int64_double", "int", "double", undefined],
  ["int64_uint64", "int", "uint", undefined],
  ["uint64", "uint", "uint", (a: CelUint, b: CelUint) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)],
  ["uint64_double", "uint", "double", undefined],
  ["uint64_int64", "uint", "int", undefined],
  ["double", "double", "double", (a: number, b: number) => (a < b ? -1 : a > b ? 1 : a === b ? 0 : Number.NaN)],
  ["double_int64", "double", "int", undefined],
  ["double_uint64", "double", "uint", undefined],
  ["string", "string", "string", compareStrings],
  ["bytes", "bytes", "bytes", undefined],
  ["timestamp", "google.protobuf.Timestamp", "google.protobuf.Timestamp", undefined],
  ["duration", "google.protobuf.Duration", "google.protobuf.Duration", undefined],
];

const ORDERING_OPERATORS: [string, string, (c: number) => boolean][] = [
  ["less", "_<_", (c) => c < 0],
  ["less_equals", "_<=_", (c) => c <= 0],
  ["greater", "_>_", (c) => c > 0],
  ["greater_equals", "_>=_", (c) => c >= 0],
];

// Same-type operands compare directly (dispatch has checked their types); mixed ones through the runtime.
const ordering: Overload[] = ORDERING_OPERATORS.flatMap(([prefix, name, holds]) =>
  ORDERED.map(([suffix, left, right, direct]) => {
    const order = (direct ?? ((a: CelValue, b: CelValue) => compare(name, a, b))) as (a: CelValue, b: CelValue) => number;
    return global(`${prefix}_${suffix}`, name, [left, right], "bool", (a: CelValue, b: CelValue) => holds(order(a, b)),
      suffix === "string" || suffix === "bytes" ? comparison : {});
  }),
);

const containers: Overload[] = [
  global("index_list", "_[_]", ["list(A)", "int"], "A", index),
  global("index_map", "_[_]", ["map(K, V)", "K"], "V", index),
  global("in_list", "@in", ["A", "list(A)"], "bool", (x: CelValue, list: CelValue[]) => list.some((e) => equals(x, e)), {
    runtimeCost: (args) => actualSize(args[1] as CelValue),
  }),
  global("in_map", "@in", ["A", "map(A, B)"], "bool", (key: CelValue, m: Parameters<typeof mapGet>[0]) => mapGet(m, key) !== undefined),
  ...(["string", "bytes", "list(A)", "map(K, V)"] as const).flatMap((t) => {
    const kind = t.replace(/\(.*/, "");
    const measure = (v: CelValue) => BigInt(actualSize(v));
    return [
      global(`size_${kind}`, "size", [t], "int", measure),
      method(`${kind}_size`, "size", t, [], "int", measure),
    ];
  }),
];

/** `cel.@mapInsert`, the run-time half of the transformMap and transformMapEntry macros. */
const mapInsertion: Overload[] = [
  global("@mapInsert_map_key_value", "cel.@mapInsert", ["map(K, V)", "K", "V"], "map(K, V)",
    (m: Parameters<typeof mapInsert>[0], k: CelValue, v: CelValue) => mapInsert(m, [[k, v]])),
  global("@mapInsert_map_map", "cel.@mapInsert", ["map(K, V)", "map(K, V)"], "map(K, V)",
    (m: Parameters<typeof mapInsert>[0], other: Parameters<typeof mapInsert>[0]) =>
      mapInsert(m, mapKeys(other).map((k) => [k, mapGet(other, k) as CelValue] as const))),
];

const strings: Overload[] = [
  method("contains_string", "contains", "string", ["string"], "bool", (s: string, sub: string) => s.includes(sub), {
    runtimeCost: (args) => scaledSize(args[0] as CelValue, TRAVERSAL) * scaledSize(args[1] as CelValue, TRAVERSAL),
  }),
  method("starts_with_string", "startsWith", "string", ["string"], "bool", (s: string, p: string) => s.startsWith(p), traversal(1)),
  method("ends_with_string", "endsWith", "string", ["string"], "bool", (s: string, p: string) => s.endsWith(p), traversal(1)),
  global("matches", "matches", ["string", "string"], "bool", matches, { specialize: compileRegex }),
  method("matches_string", "matches", "string", ["string"], "bool", matches, {
    specialize: compileRegex,
    runtimeCost: (args) =>
      Math.ceil((1 + actualSize(args[0] as CelValue)) * TRAVERSAL) * Math.ceil(actualSize(args[1] as CelValue) * REGEX_STRING_LENGTH_COST_FACTOR),
  }),
];

const conversions: Overload[] = [
  global("int64_to_int64", "int", ["int"], "int", toInt),
  global("uint64_to_int64", "int", ["uint"], "int", toInt),
  global("double_to_int64", "int", ["double"], "int", toInt),
  global("string_to_int64", "int", ["string"], "int", toInt),
  global("timestamp_to_int64", "int", ["google.protobuf.Timestamp"], "int", toInt),
  global("uint64_to_uint64", "uint", ["uint"], "uint", toUint),
  global("int64_to_uint64", "uint", ["int"], "uint", toUint),
  global("double_to_uint64", "uint", ["double"], "uint", toUint),
  global("string_to_uint64", "uint", ["string"], "uint", toUint),
  global("double_to_double", "double", ["double"], "double", toDouble),
  global("int64_to_double", "double", ["int"], "double", toDouble),
  global("uint64_to_double", "double", ["uint"], "double", toDouble),
  global("string_to_double", "double", ["string"], "double", toDouble),
  global("string_to_string", "string", ["string"], "string", toCelString),
  global("int64_to_string", "string", ["int"], "string", toCelString),
  global("uint64_to_string", "string", ["uint"], "string", toCelString),
  global("double_to_string", "string", ["double"], "string", toCelString),
  global("bytes_to_string", "string", ["bytes"], "string", toCelString, traversal(0)),
  global("bool_to_string", "string", ["bool"], "string", toCelString),
  global("timestamp_to_string", "string", ["google.protobuf.Timestamp"], "string", toCelString),
  global("duration_to_string", "string", ["google.protobuf.Duration"], "string", toCelString),
  global("bytes_to_bytes", "bytes", ["bytes"], "bytes", (b: Uint8Array) => b),
  global("string_to_bytes", "bytes", ["string"], "bytes", (s: string) => new TextEncoder().encode(s), traversal(0)),
  global("bool_to_bool", "bool", ["bool"], "bool", toBool),
  global("string_to_bool", "bool", ["string"], "bool", toBool),
  global("to_dyn", "dyn", ["A"], "dyn", (v: CelValue) => v),
  global("type", "type", ["A"], "type(A)", typeOf),
  global("string_to_timestamp", "timestamp", ["string"], "google.protobuf.Timestamp", parseTimestamp),
  global("int64_to_timestamp", "timestamp", ["int"], "google.protobuf.Timestamp", timestampFromSeconds),
  global("timestamp_to_timestamp", "timestamp", ["google.protobuf.Timestamp"], "google.protobuf.Timestamp", (t: Timestamp) => t),
  global("string_to_duration", "duration", ["string"], "google.protobuf.Duration", parseDuration),
  global("duration_to_duration", "duration", ["google.protobuf.Duration"], "google.protobuf.Duration", (d: Duration) => d),
];

/** Timestamp getters in UTC or a given time zone: cel-go's function name, overload-id stem and field. */
const TIMESTAMP_GETTERS: [string, string, TimeField][] = [
  ["getFullYear", "timestamp_to_year", "fullYear"],
  ["getMonth", "timestamp_to_month", "month"],
  ["getDayOfYear", "timestamp_to_day_of_year", "dayOfYear"],
  ["getDayOfMonth", "timestamp_to_day_of_month", "dayOfMonth"],
  ["getDate", "timestamp_to_day_of_month_1_based", "date"],
  ["getDayOfWeek", "timestamp_to_day_of_week", "dayOfWeek"],
  ["getHours", "timestamp_to_hours", "hours"],
  ["getMinutes", "timestamp_to_minutes", "minutes"],
  ["getSeconds", "timestamp_to_seconds", "seconds"],
  ["getMilliseconds", "timestamp_to_milliseconds", "milliseconds"],
];

const NANOS_PER: Record<string, bigint> = { getHours: 3_600_000_000_000n, getMinutes: 60_000_000_000n, getSeconds: 1_000_000_000n };

const time: Overload[] = [
  ...TIMESTAMP_GETTERS.flatMap(([name, id, field]) => [
    method(id, name, "google.protobuf.Timestamp", [], "int", (t: Timestamp) => timestampField(t, field)),
    method(`${id}_with_tz`, name, "google.protobuf.Timestamp", ["string"], "int", (t: Timestamp, zone: string) => timestampField(t, field, zone)),
  ]),
  // Durations count whole hours, minutes or seconds in total, but milliseconds within the second.
  ...Object.entries(NANOS_PER).map(([name, unit]) =>
    method(`duration_to_${name.slice(3).toLowerCase()}`, name, "google.protobuf.Duration", [], "int", (d: Duration) => nanosOf(d) / unit)),
  method("duration_to_milliseconds", "getMilliseconds", "google.protobuf.Duration", [], "int", (d: Duration) => BigInt(Math.trunc(d.nanos / 1e6))),
];

/** The CEL standard library. */
export const standardLibrary: Library = {
  name: "standard",
  overloads: [...arithmetic, ...logic, ...equality, ...ordering, ...containers, ...mapInsertion, ...strings, ...conversions, ...time],
};
