// The values rules see: decoded JSON turned into CEL values by its schema, as kube-apiserver's UnstructuredToVal
// does (k8s.io/apiserver/pkg/cel/common/values.go). Integers are int (bigint), numbers double; strings of format
// date-time or date are timestamps, duration durations, byte bytes; int-or-string values and whatever
// x-kubernetes-preserve-unknown-fields keeps are dyn, an integral JSON number an int; object properties carry
// their escaped CEL names (`a-b` is `a__dash__b`), and a null property is absent; set and map lists compare and
// merge as their list type says (SetOrMapList). A resource (the root, an embedded resource) shows rules its
// apiVersion, kind, and of its metadata only name and generateName.
//
// Values come as kube decodes them (api/validation/validate.ts): pruned, so fields the schema does not declare
// exist only where it preserves unknown fields. There they are kept as dyn, which only equality sees (the type
// checker rejects any reference to them), as kube compares them; anywhere else they are dropped. A value that does not fit its schema (possible only where
// ratcheting let an unchanged invalid value through) is taken as dyn too, where kube would fail the rule.
//
// Each schema node gets its converter once (cached), so converting an object is one walk with no schema lookups;
// subtrees already as rules see them are shared, not copied. Programs compiled over JSON (compile.ts) convert
// only what they use, with the converter of its node, and read the rest in the JSON where conversion would keep
// it as it is (convertsAsIs, convertsAsObject, convertsAsList say where).
import type { JSONSchemaProps } from "../apiextensions.ts";
import { scalaDuration } from "../validation/formats.ts";
import { durationFromNanos, parseDuration, parseTimestamp } from "./runtime.ts";
import { escapePropertyName } from "./schema-types.ts";
import { type CelValue, SetOrMapList } from "./values.ts";

export type Converter = (value: unknown) => CelValue;

const converters = new WeakMap<JSONSchemaProps, Converter>();
const resourceConverters = new WeakMap<JSONSchemaProps, Converter>();

/** `value` (decoded and pruned JSON, not null) as a rule at `schema` sees it; `isResourceRoot` for the object's root. */
export function toCelValue(value: unknown, schema: JSONSchemaProps, isResourceRoot = false): CelValue {
  return converterOf(schema, isResourceRoot)(value);
}

/** toCelValue for one schema node, made once: what compiled programs over JSON (api/cel/compile.ts) convert with. */
export function celConverter(schema: JSONSchemaProps, isResourceRoot: boolean): Converter {
  return converterOf(schema, isResourceRoot);
}

/** Whether decoded JSON of the node is, as it is, what rules see: its conversion is the identity. */
export function convertsAsIs(schema: JSONSchemaProps, isResourceRoot: boolean): boolean {
  return !isResourceRoot && schema["x-kubernetes-embedded-resource"] !== true && !needsConversion(schema);
}

/** Whether the node converts as an object of declared properties: each declared property by its own node. */
export function convertsAsObject(schema: JSONSchemaProps, isResourceRoot: boolean): boolean {
  return !schema["x-kubernetes-int-or-string"] && schema.type === "object" &&
    (isResourceRoot || schema["x-kubernetes-embedded-resource"] === true || schema.properties !== undefined);
}

/** Whether the node converts as a list whose items convert by the node's items. */
export function convertsAsList(schema: JSONSchemaProps): boolean {
  return !schema["x-kubernetes-int-or-string"] && schema.type === "array" && schema.items !== undefined;
}

function converterOf(schema: JSONSchemaProps, isResourceRoot: boolean): Converter {
  const resource = isResourceRoot || schema["x-kubernetes-embedded-resource"] === true;
  if (!resource && !needsConversion(schema)) return same;
  const cache = resource ? resourceConverters : converters;
  let convert = cache.get(schema);
  if (!convert) {
    // Children are resolved on first use: a schema's unused branches cost nothing.
    let built: Converter | undefined;
    convert = (value) => (built ??= build(schema, resource))(value);
    cache.set(schema, convert);
  }
  return convert;
}

/**
 * Decoded JSON is already what rules see where no node below says otherwise: strings without a typed format,
 * numbers, booleans, atomic lists and objects whose property names need no escaping and hold no null. Such values
 * are shared with the object (rules never change a value), not copied.
 */
const same: Converter = (value) => value as CelValue;

const conversionNeeded = new WeakMap<JSONSchemaProps, boolean>();

function needsConversion(schema: JSONSchemaProps): boolean {
  let needed = conversionNeeded.get(schema);
  if (needed === undefined) {
    conversionNeeded.set(schema, false); // guards against cycles while computing
    const type = schema.type;
    needed =
      type === "integer" || type === undefined || schema.nullable === true || schema["x-kubernetes-int-or-string"] === true ||
      schema["x-kubernetes-preserve-unknown-fields"] === true || schema["x-kubernetes-embedded-resource"] === true ||
      (type === "string" && schema.format !== undefined && schema.format in FORMATS) ||
      (type === "array" && (schema["x-kubernetes-list-type"] === "set" || schema["x-kubernetes-list-type"] === "map" || !schema.items || needsConversion(schema.items))) ||
      (type === "object" && (typeof schema.additionalProperties === "object"
        ? needsConversion(schema.additionalProperties)
        : Object.entries(schema.properties ?? {}).some(([name, child]) => escapePropertyName(name) !== name || needsConversion(child))));
    conversionNeeded.set(schema, needed);
  }
  return needed;
}

function build(schema: JSONSchemaProps, resource: boolean): Converter {
  if (schema["x-kubernetes-int-or-string"]) return dyn;
  switch (schema.type) {
    case "object":
      if (resource || schema.properties) return objectConverter(schema, resource);
      if (typeof schema.additionalProperties === "object") return mapConverter(converterOf(schema.additionalProperties, false));
      return schema["x-kubernetes-preserve-unknown-fields"] ? dyn : objectConverter(schema, false);
    case "array":
      return schema.items ? listConverter(schema, converterOf(schema.items, false)) : dyn;
    case "string":
      return stringConverter(schema.format);
    case "integer":
      return (v) => (isInt64(v) ? BigInt(v) : dyn(v));
    case "number":
      return (v) => (typeof v === "number" ? v : dyn(v));
    case "boolean":
      return (v) => (typeof v === "boolean" ? v : dyn(v));
    default:
      return dyn;
  }
}

interface Property {
  /** The name rules use. */
  name: string;
  convert: Converter;
}

function objectConverter(schema: JSONSchemaProps, resource: boolean): Converter {
  const properties: Record<string, Property> = Object.create(null);
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    properties[key] = { name: escapePropertyName(key) ?? key, convert: converterOf(child, false) };
  }
  if (resource) {
    properties.apiVersion ??= { name: "apiVersion", convert: dyn };
    properties.kind ??= { name: "kind", convert: dyn };
    properties.metadata = { name: "metadata", convert: visibleMetadata };
  }
  const keepUnknown = schema["x-kubernetes-preserve-unknown-fields"] === true;
  return (value) => {
    if (!isJsonObject(value)) return dyn(value);
    const out: Record<string, CelValue> = {};
    for (const key in value) {
      const v = value[key];
      if (v === null || v === undefined) continue;
      const property = properties[key];
      // An escaped name is never "__proto__" (underscores are escaped)
      if (property) out[property.name] = property.convert(v);
      else if (keepUnknown) set(out, key, dyn(v));
    }
    return out;
  };
}

/** Of a resource's metadata, rules see name and generateName. */
function visibleMetadata(value: unknown): CelValue {
  if (!isJsonObject(value)) return dyn(value);
  const out: Record<string, CelValue> = {};
  if (typeof value.name === "string") out.name = value.name;
  if (typeof value.generateName === "string") out.generateName = value.generateName;
  return out;
}

function mapConverter(values: Converter): Converter {
  return (value) => {
    if (!isJsonObject(value)) return dyn(value);
    const out: Record<string, CelValue> = {};
    for (const key in value) {
      const v = value[key];
      set(out, key, v === null ? null : values(v));
    }
    return out;
  };
}

function listConverter(schema: JSONSchemaProps, items: Converter): Converter {
  const listType = schema["x-kubernetes-list-type"];
  const mapKeys = listType === "map" ? (schema["x-kubernetes-list-map-keys"] ?? []).map((k) => escapePropertyName(k) ?? k) : undefined;
  return (value) => {
    if (!Array.isArray(value)) return dyn(value);
    const out: CelValue[] = listType === "set" || listType === "map" ? new SetOrMapList(mapKeys) : [];
    for (const item of value) out.push(item === null ? null : items(item));
    return out;
  };
}

function stringConverter(format: string | undefined): Converter {
  const parse = FORMATS[format ?? ""];
  return (value) => {
    if (typeof value !== "string") return dyn(value);
    if (!parse) return value;
    // A string that does not parse has failed the schema's format check (not an error that blocks rules).
    try {
      return parse(value);
    } catch {
      return value;
    }
  };
}

/** Strings of these formats are seen as CEL timestamps, durations and bytes. */
const FORMATS: Record<string, (s: string) => CelValue> = {
  // strfmt.ParseDateTime takes `t` and `z` in either case
  "date-time": (s) => parseTimestamp(s.toUpperCase()),
  date: (s) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) throw new Error("not a date");
    return parseTimestamp(`${s}T00:00:00Z`);
  },
  // strfmt.ParseDuration: Go's syntax, else Scala-style terms (`3 days 4 hours`)
  duration: (s) => {
    try {
      return parseDuration(s);
    } catch (error) {
      const nanos = scalaDuration(s);
      if (nanos === undefined) throw error;
      return durationFromNanos(nanos);
    }
  },
  byte: (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0)),
};

/** A value without a schema type: numbers are int when integral (as kube's JSON decoding makes them), else double. */
function dyn(value: unknown): CelValue {
  if (typeof value === "number") return isInt64(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(dyn);
  if (isJsonObject(value)) {
    const out: Record<string, CelValue> = {};
    for (const key in value) set(out, key, value[key] === null ? null : dyn(value[key]));
    return out;
  }
  return value as CelValue;
}

function isInt64(value: unknown): value is number {
  return Number.isInteger(value) && Math.abs(value as number) < 2 ** 63;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `out[key] = value`, where a "__proto__" key is data, not the object's prototype. */
function set(out: Record<string, CelValue>, key: string, value: CelValue): void {
  if (key === "__proto__") Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}
