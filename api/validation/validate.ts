// A custom resource's trip through kube-apiserver, up to storage (spec kubernetes-cel.md §2.2): pruning, null
// pruning, defaulting, then validation of type and object metadata, the OpenAPI schema (ratcheted on update),
// embedded resources, list-type uniqueness and, unless an earlier error blocks them, the CEL rules. The walks that
// depend on the kind's schema (decoding, list types, rules) are the generic ones, or code the generator made from
// the schema (kind-code.ts) with the same results.
import type { JSONSchemaProps } from "../apiextensions.ts";
import { CelRules, type CelRuleEntry } from "./cel.ts";
import { decode as decodeObject } from "./decode.ts";
import { fieldError, isBlocking, type FieldError } from "./errors.ts";
import type { KindCode } from "./kind-runtime.ts";
import { validateListTypes } from "./list-types.ts";
import {
  decodeRootMetadata,
  hasEmbeddedResources,
  validateEmbeddedResources,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateTypeMeta,
  type ObjectMeta,
} from "./metadata.ts";
import { formatFieldPath, type FieldPath } from "./prune.ts";
import { isUnchanged } from "./ratcheting.ts";
import { isObject } from "./schema.ts";
import { structuralErrors, type StructuralValidateFunction } from "./structural.ts";

/** Everything the validator needs to know about one kind of one group/version. */
export interface KindDefinition {
  group: string;
  version: string;
  kind: string;
  namespaced: boolean;
  /** The version's openAPIV3Schema. */
  schema: JSONSchemaProps;
  /** ajv's validation function for the schema (generator/schema/json-schema.ts toJsonSchema). */
  structural: StructuralValidateFunction;
  /**
   * The kind's walks (decoding, list types, rules) as code generated from its schema (kind-code.ts), which runs
   * the rules with its own programs; or, for the generic walks, `rules`: every x-kubernetes-validations rule of
   * the schema, compiled where a program is available.
   */
  walks: { code: KindCode } | { rules: readonly CelRuleEntry[] };
}

export interface ValidationResult {
  /** What kube-apiserver would reject the object for; empty when it would accept it. */
  errors: FieldError[];
  /** What kube-apiserver would warn about: pruned fields, ratcheted rule failures; and rules not evaluated. */
  warnings: string[];
  /**
   * The object as kube-apiserver would store it: pruned and defaulted. The input is not modified; what pruning
   * and defaulting leave as it was is shared with it (the input itself when nothing changes): copy before changing.
   */
  object: Record<string, unknown>;
}

export interface ValidateOptions {
  /** The namespace of the request; a namespaced object without one gets it, as kube-apiserver does. */
  namespace?: string;
}

export type Validator = (object: unknown, oldObject?: unknown, options?: ValidateOptions) => ValidationResult;

/** Builds the validator of one kind. Schema-derived work (arranging the rules) happens once, here. */
export function createValidator(definition: KindDefinition): Validator {
  const { schema, structural, namespaced } = definition;
  const apiVersion = `${definition.group}/${definition.version}`;
  const { walks } = definition;
  const code = "code" in walks ? walks.code : genericCode(schema, walks.rules);
  const embedded = hasEmbeddedResources(schema);

  return (input, oldInput, options) => {
    if (!isObject(input)) return { errors: structuralErrors(structural, schema, input).map((e) => e.error), warnings: [], object: {} };
    const unknown: FieldPath[] = [];
    let object = code.decode(input, unknown);
    if (options?.namespace && namespaced && isObject(object.metadata) && !object.metadata.namespace) {
      object = { ...object, metadata: { ...object.metadata, namespace: options.namespace } };
    }
    const old = isObject(oldInput) ? code.decode(oldInput, []) : undefined;
    const warnings = unknown.length === 0 ? [] : unknown.map(formatFieldPath).sort().map((path) => `unknown field "${path}"`);

    const errors = validateTypeMeta(object, apiVersion, definition.kind);
    if (errors.length === 0) {
      const meta = (object.metadata ?? {}) as ObjectMeta;
      append(errors, old ? validateObjectMetaUpdate(meta, (old.metadata ?? {}) as ObjectMeta) : validateObjectMeta(meta, namespaced));
      for (const e of structuralErrors(structural, schema, object)) if (!old || !isUnchanged(schema, object, old, e.node)) errors.push(e.error);
    }
    if (embedded) append(errors, validateEmbeddedResources(object, schema));
    // List-type uniqueness is ratcheted as a whole: checked on update only if the old object passed it.
    if (!old || code.listTypes(old).length === 0) append(errors, code.listTypes(object));
    if (!code.hasRules) return { errors, warnings, object };
    if (errors.length > 0 && errors.some(isBlocking)) {
      errors.push(fieldError.invalid([], null, "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"));
    } else {
      code.rules(object, old, { errors, warnings });
    }
    return { errors, warnings, object };
  };
}

/** `errors.push(...more)`, without the spread where there is nothing to add (the usual case). */
function append(errors: FieldError[], more: readonly FieldError[]): void {
  for (let i = 0; i < more.length; i++) errors.push(more[i]!);
}

/**
 * The generic walks, what a kind without generated code goes through: decode.ts (then metadata is coerced to
 * ObjectMeta, as kube-apiserver's decoder does), list-types.ts, and cel.ts over the rules table.
 */
export function genericCode(schema: JSONSchemaProps, table: readonly CelRuleEntry[]): KindCode {
  const rules = new CelRules(schema, table);
  return {
    decode: (input, unknown) => {
      const decoded = decodeObject(input, schema, { resourceRoot: true });
      unknown.push(...decoded.unknown);
      return decodeRootMetadata(decoded.value as Record<string, unknown>, unknown);
    },
    listTypes: (object) => validateListTypes(object, schema),
    hasRules: table.length > 0,
    rules: (object, old, report) => rules.run(object, old, report),
  };
}
