// Small helpers the validation passes share: JSON values and schema navigation.
import type { JSONSchemaProps } from "../apiextensions.ts";

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A deep copy of a JSON value (much faster than structuredClone for plain data). */
export function copyJson<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    // A "__proto__" key is data here; plain assignment would set the copy's prototype instead.
    if (key === "__proto__") Object.defineProperty(copy, key, { value: copyJson(value[key]), enumerable: true, writable: true, configurable: true });
    else copy[key] = copyJson(value[key]);
  }
  return copy as T;
}

/**
 * A shallow copy of the fields of `object` that come before `key` in its for-in order (all of them without
 * `key`): where a copy-on-write decoder starts the copy of an object it changes at `key`.
 */
export function copyUpTo(object: Record<string, unknown>, key?: string): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const k in object) {
    if (k === key) break;
    if (k === "__proto__") Object.defineProperty(copy, k, { value: object[k], enumerable: true, writable: true, configurable: true });
    else copy[k] = object[k];
  }
  return copy;
}

/** The schema of map values (additionalProperties given as a schema). */
export function mapValues(schema: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
  return typeof schema?.additionalProperties === "object" ? schema.additionalProperties : undefined;
}

/** The schema of property `key` of an object: a declared property, else the map value schema. */
export function childSchema(schema: JSONSchemaProps | undefined, key: string): JSONSchemaProps | undefined {
  return schema?.properties?.[key] ?? mapValues(schema);
}

/**
 * Whether any node of `schema` (itself included, through properties, map values and items) satisfies
 * `test`. Answers are remembered per schema node, so passes can skip subtrees with nothing for them.
 */
export function subtreeHas(test: (node: JSONSchemaProps) => boolean): (schema: JSONSchemaProps | undefined) => schema is JSONSchemaProps {
  const known = new WeakMap<JSONSchemaProps, boolean>();
  const has = (schema: JSONSchemaProps | undefined): schema is JSONSchemaProps => {
    if (!schema) return false;
    let answer = known.get(schema);
    if (answer === undefined) {
      known.set(schema, false); // guards against cycles while computing
      answer = test(schema) || Object.values(schema.properties ?? {}).some(has) || has(mapValues(schema)) || has(schema.items);
      known.set(schema, answer);
    }
    return answer;
  };
  return has;
}
