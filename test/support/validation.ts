// Validators for tests: the generated validator of every kind in crds/, and validators of any schema compiled at
// run time (ajv from toJsonSchema, CEL rules by api/cel's compiler through compileRules, or given programs).
import { parse } from "yaml";
import type { JSONSchemaProps } from "../../api/apiextensions.ts";
import type { CelRuleEntry } from "../../api/validation/cel.ts";
import { ruleSites } from "../../api/validation/cel.ts";
import { compileRules } from "../../api/validation/compile-rules.ts";
import { errorString } from "../../api/validation/errors.ts";
import { createValidator, type KindDefinition, type ValidationResult, type Validator } from "../../api/validation/validate.ts";
import { loadCrds } from "../../generator/loader/index.ts";
import { createAjv, toJsonSchema } from "../../generator/schema/json-schema.ts";
import { generatedFunction, generatedModules } from "./generated.ts";

const ajv = createAjv();

export interface TestKind {
  group?: string;
  version?: string;
  kind?: string;
  namespaced?: boolean;
  /** The CEL programs; by default every rule of the schema, compiled now. */
  rules?: readonly CelRuleEntry[] | "uncompiled";
}

/** A validator for `schema` (an object or YAML text), kind Widget of example.com/v1 unless told otherwise. */
export function validatorFor(schema: JSONSchemaProps | string, options: TestKind = {}): Validator {
  const root = typeof schema === "string" ? (parse(schema) as JSONSchemaProps) : schema;
  const rules = options.rules === "uncompiled" ? ruleSites(root) : options.rules ?? compileRules(root);
  return createValidator({
    group: options.group ?? "example.com",
    version: options.version ?? "v1",
    kind: options.kind ?? "Widget",
    namespaced: options.namespaced ?? true,
    schema: root,
    structural: ajv.compile(toJsonSchema(root)),
    walks: { rules },
  });
}

/** Every kind of crds/ with its schema, keyed by `apiVersion/kind`. */
export function crdKinds(): Map<string, { apiVersion: string; kind: string; namespaced: boolean; schema: JSONSchemaProps }> {
  return new Map(loadCrds(["crds"]).flatMap(({ crd }) => crd.spec.versions.map((v) => {
    const kind = { apiVersion: `${crd.spec.group}/${v.name}`, kind: crd.spec.names.kind, namespaced: crd.spec.scope === "Namespaced", schema: v.schema.openAPIV3Schema };
    return [`${kind.apiVersion}/${kind.kind}`, kind] as const;
  })));
}

/** The generated validate<Kind> of the kind `apiVersion/kind`. */
export function generatedValidator(apiVersionKind: string): Validator {
  const kind = apiVersionKind.slice(apiVersionKind.lastIndexOf("/") + 1);
  return generatedFunction<Validator>({ apiVersion: apiVersionKind.slice(0, apiVersionKind.lastIndexOf("/")), kind }, "validate");
}

/** The generated definition of a kind (`<kind>Definition` of its validators.ts): what its validator is made from. */
export function generatedDefinition(apiVersion: string, kind: string): KindDefinition {
  const definition = generatedModules[apiVersion]?.[`${kind[0]!.toLowerCase()}${kind.slice(1)}Definition`];
  if (!definition) throw new Error(`no generated definition of ${apiVersion} ${kind}`);
  return definition as KindDefinition;
}

/** Validators of every kind in crds/, keyed by `apiVersion/kind`, compiled at run time from the CRDs. */
export function runtimeCompiledValidators(): Map<string, Validator> {
  return new Map([...crdKinds()].map(([key, { apiVersion, kind, namespaced, schema }]) => {
    const group = apiVersion.slice(0, apiVersion.indexOf("/"));
    return [key, validatorFor(schema, { group, version: apiVersion.slice(group.length + 1), kind, namespaced })];
  }));
}

/** The errors of a result as kube prints them. */
export function messages(result: ValidationResult): string[] {
  return result.errors.map(errorString);
}
