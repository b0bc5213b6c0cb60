// What kube-apiserver checks of apiVersion, kind and metadata: the object's own (customResourceValidator,
// apimachinery's ValidateObjectMetaAccessor[Update]) and those of embedded resources (schemaobjectmeta.Validate).
import type { JSONSchemaProps } from "../apiextensions.ts";
import { fieldError, goQuote, type FieldError, type FieldPath } from "./errors.ts";
import type { FieldPath as DataPath } from "./prune.ts";
import { remembered } from "./remembered.ts";
import { childSchema, copyUpTo, isObject, subtreeHas } from "./schema.ts";

// ---- Name rules (k8s.io/apimachinery/pkg/api/validate/content) ----------------------------------------------

const LABEL_KEY_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?";

/** A pattern as a RegExp matching whole strings; its groups do not capture (only test() is used, which is faster without). */
const full = (re: string) => new RegExp(`^(?:${re.replaceAll("(", "(?:")})$`);
const [labelKeyName, dns1123Label, dns1123Subdomain, dns1035Label, qualifiedName] =
  [LABEL_KEY_NAME, DNS1123_LABEL, DNS1123_SUBDOMAIN, DNS1035_LABEL, `(${DNS1123_SUBDOMAIN}/)?${LABEL_KEY_NAME}`].map(full) as [RegExp, RegExp, RegExp, RegExp, RegExp];

const bytes = (s: string) => Buffer.byteLength(s, "utf8");
/** Whether a string takes more than `max` bytes in UTF-8 (a UTF-16 unit takes 1 to 3), measured only when in doubt. */
const longerThan = (s: string, max: number) => s.length > max || (s.length * 3 > max && bytes(s) > max);
/** What the checks below return for a valid value: one shared, frozen array. */
const NONE: string[] = Object.freeze([]) as unknown as string[];
const maxLenError = (n: number) => `must be no more than ${n} bytes`;
const regexError = (msg: string, re: string, ...examples: string[]) =>
  `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(" or ")}regex used for validation is '${re}')`;
const LABEL_KEY_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

export function isDns1123Subdomain(value: string): string[] {
  const valid = dns1123Subdomain.test(value);
  if (valid && value.length <= 253) return NONE; // the pattern is ASCII: a character is a byte
  const errs: string[] = [];
  if (longerThan(value, 253)) errs.push(maxLenError(253));
  if (!valid) {
    errs.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", DNS1123_SUBDOMAIN, "example.com"));
  }
  return errs;
}

export function isDns1123Label(value: string): string[] {
  const valid = dns1123Label.test(value);
  if (valid && value.length <= 63) return NONE;
  const errs: string[] = [];
  if (longerThan(value, 63)) errs.push(maxLenError(63));
  if (!valid) {
    errs.push(dns1123Subdomain.test(value) ? "must not contain dots"
      : regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", DNS1123_LABEL, "my-name", "123-abc"));
  }
  return errs;
}

function isDns1035Label(value: string): string[] {
  const valid = dns1035Label.test(value);
  if (valid && value.length <= 63) return NONE;
  const errs: string[] = [];
  if (longerThan(value, 63)) errs.push(maxLenError(63));
  if (!valid) {
    errs.push(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", DNS1035_LABEL, "my-name", "abc-123"));
  }
  return errs;
}

/** A label key or other "qualified name": an optional DNS subdomain prefix and '/', then a name. */
const isQualifiedName = remembered((value) => {
  const slash = value.indexOf("/"); // the name part has none
  if (slash <= 253 && value.length - slash - 1 <= 63 && qualifiedName.test(value)) return NONE;
  const parts = value.split("/");
  const name = parts.at(-1)!;
  if (parts.length > 2) {
    return [`a valid label key ${regexError(LABEL_KEY_MSG, LABEL_KEY_NAME, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const errs: string[] = [];
  if (parts.length === 2) {
    if (parts[0] === "") errs.push("prefix part must be non-empty");
    else errs.push(...isDns1123Subdomain(parts[0]!).map((m) => `prefix part ${m}`));
  }
  if (name === "") errs.push("name part must be non-empty");
  else if (longerThan(name, 63)) errs.push(`name part ${maxLenError(63)}`);
  if (!labelKeyName.test(name)) errs.push(`name part ${regexError(LABEL_KEY_MSG, LABEL_KEY_NAME, "MyName", "my.name", "123-abc")}`);
  return errs;
});

const isLabelValue = remembered((value) => {
  const valid = value === "" || labelKeyName.test(value);
  if (valid && value.length <= 63) return NONE;
  const errs: string[] = [];
  if (longerThan(value, 63)) errs.push(maxLenError(63));
  if (!valid) {
    errs.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", `(${LABEL_KEY_NAME})?`, "MyValue", "my_value", "12345"));
  }
  return errs;
});

/** A namespace's name: a DNS label (remembered: namespaces repeat). */
const isNamespaceName = remembered(isDns1123Label);

/** A name or generateName of a custom resource: a DNS subdomain; a generateName may end in '-'. */
function nameIsDnsSubdomain(name: string, prefix: boolean): string[] {
  return isDns1123Subdomain(prefix && name.length > 1 && name.endsWith("-") ? `${name.slice(0, -1)}a` : name);
}

/** Names of embedded resources only have to be usable as a URL path segment. */
function isPathSegmentName(name: string, prefix: boolean): string[] {
  if (!prefix && (name === "." || name === "..")) return [`may not be '${name}'`];
  return ["/", "%"].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

// ---- ObjectMeta -----------------------------------------------------------------------------------------------

/** The JSON shape of each ObjectMeta field; a value of another shape cannot be decoded and is dropped. */
const META_FIELDS: Record<string, (v: unknown) => boolean> = {
  name: isString, generateName: isString, namespace: isString, selfLink: isString, uid: isString, resourceVersion: isString,
  generation: isInteger, deletionGracePeriodSeconds: (v) => v === null || isInteger(v),
  creationTimestamp: (v) => v === null || isString(v), deletionTimestamp: (v) => v === null || isString(v),
  labels: isStringMap, annotations: isStringMap,
  finalizers: (v) => v === null || (Array.isArray(v) && v.every(isString)),
  ownerReferences: (v) => v === null || (Array.isArray(v) && v.every(isObject)),
  managedFields: (v) => v === null || (Array.isArray(v) && v.every(isObject)),
};

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string | null;
  deletionGracePeriodSeconds?: number | null;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: Record<string, unknown>[];
}

/**
 * Coerces the object's metadata to ObjectMeta in place, as kube-apiserver's decoder does: unknown fields are
 * dropped and reported, fields that do not decode as their ObjectMeta type are dropped.
 */
export function coerceMetadata(object: Record<string, unknown>): DataPath[] {
  const meta = object.metadata;
  if (meta === undefined) return [];
  if (!isObject(meta)) {
    delete object.metadata;
    return [];
  }
  const unknown: DataPath[] = [];
  for (const key in meta) if (!decodesAsObjectMeta(key, meta[key], unknown)) delete meta[key];
  return unknown;
}

/**
 * What coerceMetadata makes of `meta`, without changing it: `meta` itself when all its fields decode as
 * ObjectMeta's, else a copy without the others (unknown ones reported into `unknown`); undefined where metadata
 * is no object (and dropped).
 */
export function decodeMetadata(meta: unknown, unknown: DataPath[]): Record<string, unknown> | undefined {
  if (!isObject(meta)) return undefined;
  let out: Record<string, unknown> | undefined;
  for (const key in meta) {
    const value = meta[key];
    if (!decodesAsObjectMeta(key, value, unknown)) out ??= copyUpTo(meta, key);
    else if (out) out[key] = value; // an ObjectMeta field: not "__proto__"
  }
  return out ?? meta;
}

/** `object` with its metadata as decodeMetadata makes it: `object` itself when that changes nothing, else a copy. */
export function decodeRootMetadata(object: Record<string, unknown>, unknown: DataPath[]): Record<string, unknown> {
  if (!Object.hasOwn(object, "metadata")) return object;
  const meta = decodeMetadata(object.metadata, unknown);
  if (meta === object.metadata) return object;
  const out = copyUpTo(object);
  if (meta === undefined) delete out.metadata;
  else out.metadata = meta;
  return out;
}

/** Whether a field of metadata decodes into ObjectMeta; one ObjectMeta does not have is reported into `unknown`. */
function decodesAsObjectMeta(key: string, value: unknown, unknown: DataPath[]): boolean {
  const decodes = Object.hasOwn(META_FIELDS, key) ? META_FIELDS[key] : undefined;
  if (!decodes) unknown.push(["metadata", key]);
  return decodes?.(value) === true;
}

/** ValidateObjectMetaAccessor for a new object: name (or generateName), namespace, labels, annotations, … */
export function validateObjectMeta(meta: ObjectMeta, namespaced: boolean, nameRule = nameIsDnsSubdomain, at: FieldPath = ["metadata"]): FieldError[] {
  const errors: FieldError[] = [];
  const { name = "", generateName = "", namespace = "" } = meta;
  if (generateName !== "") invalid(errors, nameRule(generateName, true), at, "generateName", generateName);
  // A missing name is generated from generateName before validation (names.SimpleNameGenerator).
  if (name === "" && generateName === "") errors.push(fieldError.required([...at, "name"], "name or generateName is required"));
  if (name !== "") invalid(errors, nameRule(name, false), at, "name", name);
  if (namespaced) {
    if (namespace === "") errors.push(fieldError.required([...at, "namespace"]));
    else invalid(errors, isNamespaceName(namespace), at, "namespace", namespace);
  } else if (namespace !== "") {
    errors.push(fieldError.forbidden([...at, "namespace"], "not allowed on this type"));
  }
  if ((meta.generation ?? 0) < 0) errors.push(fieldError.invalid([...at, "generation"], meta.generation, "must be greater than or equal to 0"));
  validateMetaCommon(meta, at, errors);
  return errors;
}

/** ValidateObjectMetaAccessorUpdate: identity fields are immutable, generation never goes back. */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta): FieldError[] {
  const errors: FieldError[] = [];
  if (old.deletionTimestamp) {
    const added = [...new Set(meta.finalizers ?? [])].filter((f) => !(old.finalizers ?? []).includes(f)).sort();
    if (added.length > 0) {
      errors.push(fieldError.forbidden(["metadata", "finalizers"], `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map(goQuote).join(", ")}}`));
    }
  }
  if ((meta.generation ?? 0) < (old.generation ?? 0)) errors.push(fieldError.invalid(["metadata", "generation"], meta.generation ?? 0, "must not be decremented"));
  const immutable = ["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"] as const;
  for (const field of immutable) {
    const [now, before] = [meta[field] ?? emptyOf(field), old[field] ?? emptyOf(field)];
    if (now !== before) errors.push(fieldError.invalid(["metadata", field], now, "field is immutable"));
  }
  validateMetaCommon(meta, ["metadata"], errors);
  return errors;
}

/** Go's zero value of an ObjectMeta field, as the immutability check compares it. */
const emptyOf = (field: string) => (["name", "namespace", "uid"].includes(field) ? "" : null);

/** An Invalid error for each of `messages` about `value`, the field `field` below `at`. */
function invalid(errors: FieldError[], messages: readonly string[], at: FieldPath, field: string, value: unknown): void {
  for (let i = 0; i < messages.length; i++) errors.push(fieldError.invalid([...at, field], value, messages[i]!));
}

const MAX_ANNOTATION_BYTES = 256 * 1024;

function validateMetaCommon(meta: ObjectMeta, at: FieldPath, errors: FieldError[]): void {
  const { labels, annotations, ownerReferences, finalizers } = meta;
  if (labels) {
    for (const key in labels) {
      const value = labels[key]!;
      invalid(errors, isQualifiedName(key), at, "labels", key);
      invalid(errors, isLabelValue(value), at, "labels", value);
    }
  }
  if (annotations) validateAnnotations(annotations, at, errors);
  if (ownerReferences?.length) errors.push(...validateOwnerReferences(ownerReferences, [...at, "ownerReferences"]));
  if (finalizers) {
    for (const finalizer of finalizers) invalid(errors, isQualifiedName(finalizer), at, "finalizers", finalizer);
    if (finalizers.includes("orphan") && finalizers.includes("foregroundDeletion")) {
      errors.push(fieldError.invalid([...at, "finalizers"], finalizers, "finalizer orphan and foregroundDeletion cannot be both set"));
    }
  }
}

function validateAnnotations(annotations: Record<string, string>, at: FieldPath, errors: FieldError[]): void {
  let units = 0;
  for (const key in annotations) {
    invalid(errors, isQualifiedName(key.toLowerCase()), at, "annotations", key);
    units += key.length + annotations[key]!.length;
  }
  // A UTF-16 unit takes at most 3 bytes: only possibly too large annotations are measured.
  if (units * 3 <= MAX_ANNOTATION_BYTES) return;
  let total = 0;
  for (const key in annotations) total += bytes(key) + bytes(annotations[key]!);
  if (total > MAX_ANNOTATION_BYTES) errors.push(fieldError.tooLong([...at, "annotations"], MAX_ANNOTATION_BYTES));
}

function validateOwnerReferences(references: readonly Record<string, unknown>[], at: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  let controller = "";
  for (const reference of references) {
    const field = (name: string) => (typeof reference[name] === "string" ? (reference[name] as string) : "");
    const [apiVersion, kind, name, uid] = [field("apiVersion"), field("kind"), field("name"), field("uid")];
    const parts = apiVersion.split("/");
    if (parts.length > 2 || parts.at(-1) === "") errors.push(fieldError.invalid([...at, "apiVersion"], apiVersion, "version must not be empty"));
    if (kind === "") errors.push(fieldError.invalid([...at, "kind"], kind, "must not be empty"));
    if (name === "") errors.push(fieldError.invalid([...at, "name"], name, "must not be empty"));
    if (uid === "") errors.push(fieldError.invalid([...at, "uid"], uid, "must not be empty"));
    if (reference.controller === true) {
      if (controller !== "") {
        errors.push(fieldError.invalid(at, references, `Only one reference can have Controller set to true. Found "true" in references for ${controller} and ${kind}/${name}`));
      } else {
        controller = `${kind}/${name}`;
      }
    }
  }
  return errors;
}

// ---- TypeMeta and embedded resources --------------------------------------------------------------------------

/** The object's kind and apiVersion must be those of the resource it is sent to. */
export function validateTypeMeta(object: Record<string, unknown>, apiVersion: string, kind: string): FieldError[] {
  const errors: FieldError[] = [];
  if (object.kind !== kind) errors.push(fieldError.invalid(["kind"], object.kind ?? "", `must be ${kind}`));
  if (object.apiVersion !== apiVersion) errors.push(fieldError.invalid(["apiVersion"], object.apiVersion ?? "", `must be ${apiVersion}`));
  return errors;
}

/** Whether a schema has x-kubernetes-embedded-resource nodes (at or below it). */
export const hasEmbeddedResources = subtreeHas((node) => node["x-kubernetes-embedded-resource"] === true);

/** Every x-kubernetes-embedded-resource value below the root needs a well-formed apiVersion, kind and metadata. */
export function validateEmbeddedResources(value: unknown, schema: JSONSchemaProps | undefined, at: FieldPath = []): FieldError[] {
  if (!hasEmbeddedResources(schema)) return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => validateEmbeddedResources(item, schema.items, [...at, i]));
  if (!isObject(value)) return [];
  const errors = schema["x-kubernetes-embedded-resource"] ? validateEmbeddedResource(value, at) : [];
  for (const [key, child] of Object.entries(value)) {
    const declared = schema.properties?.[key];
    const step = declared ? key : { key };
    errors.push(...validateEmbeddedResources(child, childSchema(schema, key), [...at, step]));
  }
  return errors;
}

function validateEmbeddedResource(object: Record<string, unknown>, at: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if (!("apiVersion" in object)) errors.push(fieldError.required([...at, "apiVersion"]));
  if (!("kind" in object)) errors.push(fieldError.required([...at, "kind"]));
  for (const [key, value] of Object.entries(object)) {
    const path = [...at, key];
    if (key === "apiVersion") {
      if (typeof value !== "string") errors.push(fieldError.invalid(path, value, "must be a string"));
      else if (value === "") errors.push(fieldError.invalid(path, value, "must not be empty"));
      else if (value.split("/").length > 2) errors.push(fieldError.invalid(path, value, `unexpected GroupVersion string: ${value}`));
    } else if (key === "kind") {
      const problems = typeof value === "string" ? isDns1035Label(value.toLowerCase()) : [];
      if (typeof value !== "string") errors.push(fieldError.invalid(path, value, "must be a string"));
      else if (value === "") errors.push(fieldError.invalid(path, value, "must not be empty"));
      else if (problems.length > 0) errors.push(fieldError.invalid(path, value, `may have mixed case, but should otherwise match: ${problems.join(",")}`));
    } else if (key === "metadata") {
      const malformed = isObject(value) ? Object.entries(value).find(([k, v]) => META_FIELDS[k] && !META_FIELDS[k](v)) : undefined;
      if (!isObject(value) || malformed) {
        errors.push(fieldError.invalid(path, value, `json: cannot unmarshal ${malformed ? `${jsonKind(malformed[1])} into Go struct field ObjectMeta.${malformed[0]}` : `${jsonKind(value)} into Go value of type v1.ObjectMeta`}`));
      } else {
        const meta = value as ObjectMeta;
        errors.push(...validateObjectMeta({ ...meta, name: meta.name || "fakename" }, (meta.namespace ?? "") !== "", isPathSegmentName, path));
      }
    }
  }
  return errors;
}

function jsonKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value === "object" ? "object" : typeof value;
}

function isString(v: unknown): v is string {
  return typeof v === "string";
}

function isInteger(v: unknown): boolean {
  return typeof v === "number" && Number.isInteger(v);
}

function isStringMap(v: unknown): boolean {
  if (v === null) return true;
  if (!isObject(v)) return false;
  for (const key in v) if (typeof v[key] !== "string") return false;
  return true;
}
