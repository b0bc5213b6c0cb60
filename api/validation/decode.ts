// An object as kube-apiserver decodes it before validation (apiextensions-apiserver pkg/apiserver/schema/pruning,
// defaulting/prunenulls.go and defaulting), in one walk that copies on write: fields the schema does not declare are
// pruned (and reported) unless a node preserves unknown fields, nulls of fields that are neither nullable nor
// defaulted are dropped, and missing fields (or non-nullable nulls) get a copy of their default, whose own nested
// defaults then apply. Each schema node's plan is made once (cached), so the walk looks nothing up in the schema.
import type { JSONSchemaProps } from "../apiextensions.ts";
import type { FieldPath } from "./prune.ts";
import { copyJson, copyUpTo, isObject } from "./schema.ts";

export interface Decoded {
  value: unknown;
  /** The pruned fields, in the order met. */
  unknown: FieldPath[];
}

export interface DecodeOptions {
  /** The value is a whole object: pruning leaves its apiVersion, kind and metadata alone (metadata is coerced to ObjectMeta separately). */
  resourceRoot?: boolean;
  /** Prune unknown fields and nulls (default true). */
  prune?: boolean;
  /** Apply defaults (default true). */
  defaults?: boolean;
}

/** `value` decoded; it is left untouched, and shares with the result what decoding does not change. */
export function decode(value: unknown, schema: JSONSchemaProps, options: DecodeOptions = {}): Decoded {
  const unknown: FieldPath[] = [];
  const decoder = new Decoder(options.prune ?? true, options.defaults ?? true, unknown);
  return { value: decoder.value(value, planOf(schema, options.resourceRoot ?? false), []), unknown };
}

/**
 * decode's walk of `value` at `at` (left untouched) in a larger value, with its node's schema (`resource`: the node
 * is a resource's root, the object's or an embedded one) and unknown fields kept there or not: where a kind's
 * generated decoder (kind-code.ts) meets a value its node does not describe (a list for an object).
 */
export function decodeAt(value: unknown, schema: JSONSchemaProps, resource: boolean, keepUnknown: boolean, at: FieldPath, unknown: FieldPath[]): unknown {
  return new Decoder(true, true, unknown).value(value, planOf(schema, resource), [...at], keepUnknown);
}

/** What decoding needs to know of a schema node. */
interface Plan {
  /** Declared properties, by name. */
  properties: Readonly<Record<string, Plan>> | undefined;
  /** The schema of map values (additionalProperties as a schema). */
  values: Plan | undefined;
  /** additionalProperties: true: any field is kept as it is. */
  anyValues: boolean;
  items: Plan | undefined;
  preserveUnknown: boolean;
  /** The root or an embedded resource: apiVersion, kind and metadata are not pruned. */
  resource: boolean;
  nullable: boolean;
  default: unknown;
  /** Properties with a default, in schema order. */
  defaulted: readonly (readonly [string, Plan])[];
}

const plans = new WeakMap<JSONSchemaProps, Plan>();
const resourcePlans = new WeakMap<JSONSchemaProps, Plan>();
const RESOURCE_FIELDS = new Set(["apiVersion", "kind", "metadata"]);

function planOf(schema: JSONSchemaProps, isResourceRoot: boolean): Plan {
  const resource = isResourceRoot || schema["x-kubernetes-embedded-resource"] === true;
  const cache = resource ? resourcePlans : plans;
  let plan = cache.get(schema);
  if (!plan) {
    const properties: Record<string, Plan> | undefined = schema.properties ? Object.create(null) : undefined;
    plan = {
      properties,
      values: undefined,
      anyValues: schema.additionalProperties === true,
      items: undefined,
      preserveUnknown: schema["x-kubernetes-preserve-unknown-fields"] === true,
      resource,
      nullable: schema.nullable === true,
      default: schema.default,
      defaulted: [],
    };
    cache.set(schema, plan); // before the children: a schema may not nest itself, but plans never loop
    for (const [name, child] of Object.entries(schema.properties ?? {})) properties![name] = planOf(child, false);
    if (typeof schema.additionalProperties === "object") plan.values = planOf(schema.additionalProperties, false);
    if (schema.items) plan.items = planOf(schema.items, false);
    plan.defaulted = Object.entries(schema.properties ?? {}).filter(([, p]) => p.default !== undefined).map(([name]) => [name, properties![name]!] as const);
  }
  return plan;
}

/** What a field decodes to when it is left out. */
const DROPPED = Symbol("dropped");

/**
 * The walk, copying on write: a value nothing is pruned from or defaulted in is returned as it is; one that
 * changes is copied once, from its first change on, sharing its unchanged children.
 */
class Decoder {
  private readonly prune: boolean;
  private readonly defaults: boolean;
  /** Pruned fields are reported here; defaults, which decoding also runs through, report nothing. */
  private report: FieldPath[] | undefined;

  constructor(prune: boolean, defaults: boolean, report: FieldPath[]) {
    this.prune = prune;
    this.defaults = defaults;
    this.report = report;
  }

  /**
   * `at` is the path of `value`, shared along the walk: steps are pushed and popped, copied only when reported.
   * `keepUnknown`: below x-kubernetes-preserve-unknown-fields, which holds for the node's object and, through
   * lists, its items' (kube's skipPrune), until a declared property resumes pruning.
   */
  value(value: unknown, plan: Plan | undefined, at: FieldPath, keepUnknown = plan?.preserveUnknown === true): unknown {
    if (keepUnknown && !plan) return value;
    if (Array.isArray(value)) {
      const items = plan?.items;
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        at.push(i);
        // A null item stays (kube prunes nulls of fields only), unless its schema defaults it.
        const decoded = item === null
          ? (items && !items.nullable && items.default !== undefined && this.defaults ? this.defaultOf(items) : null)
          : this.value(item, items, at, keepUnknown || items?.preserveUnknown === true);
        at.pop();
        if (out) out[i] = decoded;
        else if (decoded !== item) (out = value.slice(0, i)).push(decoded);
      }
      return out ?? value;
    }
    if (!isObject(value)) return value;
    let out: Record<string, unknown> | undefined;
    for (const key in value) {
      const v = value[key];
      const child = plan?.properties?.[key] ?? plan?.values;
      let decoded: unknown;
      if (plan?.resource && RESOURCE_FIELDS.has(key)) decoded = this.field(v, child, key, at, false);
      else if (child) decoded = this.field(v, child, key, at, true);
      else if (keepUnknown || plan?.anyValues || !this.prune) decoded = v;
      else {
        this.report?.push([...at, key]);
        decoded = DROPPED;
      }
      if (decoded === DROPPED) out ??= copyUpTo(value, key);
      else if (out) set(out, key, decoded);
      else if (decoded !== v) set((out = copyUpTo(value, key)), key, decoded);
    }
    if (this.defaults && plan) {
      for (const [name, property] of plan.defaulted) {
        if (!Object.hasOwn(out ?? value, name)) set((out ??= copyUpTo(value)), name, this.defaultOf(property));
      }
    }
    return out ?? value;
  }

  /** A field of a declared (or resource) schema: a null is kept, defaulted or dropped; anything else decoded or kept. */
  private field(v: unknown, child: Plan | undefined, key: string, at: FieldPath, decodes: boolean): unknown {
    if (v === null) {
      if (child?.default !== undefined && !child.nullable && this.defaults) return this.defaultOf(child);
      return !child || child.nullable || child.default !== undefined || !this.prune ? null : DROPPED;
    }
    if (!decodes) return v;
    at.push(key);
    const decoded = this.value(v, child, at);
    at.pop();
    return decoded;
  }

  /** A fresh copy of the schema's default, decoded in turn (its nested defaults apply), reporting nothing. */
  private defaultOf(plan: Plan): unknown {
    const report = this.report;
    this.report = undefined;
    const value = copyJson(this.value(plan.default, plan, []));
    this.report = report;
    return value;
  }
}

/** `out[key] = value`, where a "__proto__" key is data, not the object's prototype. */
function set(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key !== "__proto__") out[key] = value;
  else Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}
