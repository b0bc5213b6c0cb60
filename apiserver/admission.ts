// Admission for custom resources: what kube-apiserver does to a custom resource between decoding and storage,
// behind one seam, `validate(kind, object, oldObject)`. It runs crdkit's validation engine
// (api/validation/validate.ts): ObjectMeta coercion, pruning, null pruning, defaulting, then validation of
// type and object metadata (create or update), the OpenAPI schema (ratcheted on update), embedded resources,
// list-type uniqueness and the x-kubernetes-validations CEL rules (transition rules with oldSelf on update; a
// failing rule whose value did not change is ratcheted to a warning), with kube's field paths and messages.
// Each CRD version's validator is built once, when the CRD is registered (CRDs can be applied at run time), as
// the generator would build it (generator/in-memory.ts).
import type { CustomResourceDefinition } from "../api/apiextensions.ts";
import type { Validator } from "../api/validation/validate.ts";
import { crdValidator } from "../generator/in-memory.ts";
import { createAjv } from "../generator/schema/json-schema.ts";
import type { AdmissionResult } from "./resources.ts";
import type { KubeObject } from "./storage.ts";

export type { AdmissionResult };

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/**
 * The seam: prune, default and validate `object` as a version of a kind with a CRD (ObjectMeta included);
 * `oldObject` is the stored object on update, for ratcheting and transition rules.
 */
export type Validate = (kind: GroupVersionKind, object: KubeObject, oldObject: KubeObject | undefined) => AdmissionResult;

const ajv = createAjv({ messages: false });
/** How the engine reports a field pruning dropped; the server turns these into strict field validation errors. */
const UNKNOWN_FIELD = /^unknown field "(.*)"$/;

/** Validators for every version of every registered CRD, by `group/kind`, then version. */
export class CrdAdmission {
  private readonly validators = new Map<string, Map<string, Validator>>();

  /** Builds the validators of a CRD's versions, replacing those of an earlier registration. */
  register(crd: CustomResourceDefinition): void {
    const versions = new Map<string, Validator>();
    this.validators.set(`${crd.spec.group}/${crd.spec.names.kind}`, versions);
    for (const version of crd.spec.versions) versions.set(version.name, crdValidator(crd, version, ajv));
  }

  unregister(crd: CustomResourceDefinition): void {
    this.validators.delete(`${crd.spec.group}/${crd.spec.names.kind}`);
  }

  readonly validate: Validate = (kind, object, oldObject) => {
    const validator = this.validators.get(`${kind.group}/${kind.kind}`)?.get(kind.version);
    if (!validator) throw new Error(`admission: no CRD registered for ${kind.group}/${kind.version} ${kind.kind}`);
    const { errors, warnings, object: admitted } = validator(object, oldObject);
    const prunedFields = warnings.map((w) => UNKNOWN_FIELD.exec(w)?.[1]).filter((f) => f !== undefined);
    return { object: admitted as KubeObject, errors, warnings: warnings.filter((w) => !UNKNOWN_FIELD.test(w)), prunedFields };
  };
}
