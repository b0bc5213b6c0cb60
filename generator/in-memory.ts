// What the generator emits for a kind, made in memory for a CRD given at run time (the CLI's --crds, CRDs applied
// to the local API server): ajv compiled from the version's schema for the structural checks, and the kind's walks
// as code generated from the schema (kind-code.ts), or the generic walks over the compiled rules (metered, for the
// runtime cost limits) for the rare schema the generated walks do not handle. The CRD is assumed checked.
import type { Ajv } from "ajv";
import type { CustomResourceDefinition } from "../api/apiextensions.ts";
import { compileRules } from "../api/validation/compile-rules.ts";
import { compileKindCode } from "../api/validation/kind-code.ts";
import { createValidator, type Validator } from "../api/validation/validate.ts";
import { toJsonSchema } from "./schema/json-schema.ts";

type CrdVersion = CustomResourceDefinition["spec"]["versions"][number];

/** The validator of one version of a CRD's kind; `ajv` made by createAjv (json-schema.ts). */
export function crdValidator(crd: CustomResourceDefinition, version: CrdVersion, ajv: Ajv): Validator {
  const schema = version.schema.openAPIV3Schema;
  const code = compileKindCode(schema);
  return createValidator({
    group: crd.spec.group,
    version: version.name,
    kind: crd.spec.names.kind,
    namespaced: crd.spec.scope === "Namespaced",
    schema,
    structural: ajv.compile(toJsonSchema(schema)),
    walks: code ? { code } : { rules: compileRules(schema, { meter: true }) },
  });
}
