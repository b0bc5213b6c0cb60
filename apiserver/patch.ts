// The three patch formats kube-apiserver applies: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and, for the
// built-in kinds only, strategic merge patch (lists merged by key where the Go types say so, `$patch` directives).
// Each returns a new document; the target is never modified.
import type { JsonPatchOperation } from "../api/client.ts";

export class PatchError extends Error {
  override name = "PatchError";
}

type Json = unknown;
type JsonObject = Record<string, Json>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

// ---- JSON patch ----

/** Checks the shape of a JSON patch document; a malformed one is the client's mistake (400), not a failed apply. */
export function parseJsonPatch(patch: Json): JsonPatchOperation[] {
  if (!Array.isArray(patch)) throw new PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  return patch.map((op, i) => {
    if (!isObject(op) || typeof op.op !== "string" || !["add", "remove", "replace", "move", "copy", "test"].includes(op.op)) {
      throw new PatchError(`Unexpected kind: ${isObject(op) ? String(op.op) : typeof op}`);
    }
    if (typeof op.path !== "string") throw new PatchError(`operation ${i} is missing path`);
    if ((op.op === "move" || op.op === "copy") && typeof op.from !== "string") throw new PatchError(`operation ${i} is missing from`);
    if (["add", "replace", "test"].includes(op.op) && !("value" in op)) throw new PatchError(`operation ${i} is missing value`);
    return op as unknown as JsonPatchOperation;
  });
}

export function jsonPatch(target: Json, operations: readonly JsonPatchOperation[]): Json {
  let doc = structuredClone(target);
  for (const operation of operations) doc = applyOperation(doc, operation);
  return doc;
}

function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new PatchError(`JSON pointer must be empty or start with a "/": ${JSON.stringify(pointer)}`);
  return pointer.slice(1).split("/").map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** The container holding the pointer's last token, and that token. */
function locate(doc: Json, pointer: string, op: string): { parent: JsonObject | Json[]; key: string } {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new PatchError(`${op} operation does not apply: doc is missing path: ""`);
  let node = doc;
  for (const token of tokens.slice(0, -1)) {
    const next = Array.isArray(node) ? node[arrayIndex(token, node.length - 1)] : isObject(node) ? node[token] : undefined;
    if (next === undefined || next === null || typeof next !== "object") {
      throw new PatchError(`${op} operation does not apply: doc is missing path: ${JSON.stringify(pointer)}`);
    }
    node = next;
  }
  if (!isObject(node) && !Array.isArray(node)) throw new PatchError(`${op} operation does not apply: doc is missing path: ${JSON.stringify(pointer)}`);
  return { parent: node, key: tokens[tokens.length - 1]! };
}

function arrayIndex(token: string, max: number): number {
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new PatchError(`Unable to access invalid index: ${token}`);
  const index = Number(token);
  if (index > max) throw new PatchError(`Unable to access invalid index: ${index}`);
  return index;
}

function getAt(doc: Json, pointer: string, op: string): Json {
  if (pointer === "") return doc;
  const { parent, key } = locate(doc, pointer, op);
  const value = Array.isArray(parent) ? parent[arrayIndex(key, parent.length - 1)] : parent[key];
  if (value === undefined) throw new PatchError(`${op} operation does not apply: doc is missing path: ${JSON.stringify(pointer)}`);
  return value;
}

function applyOperation(doc: Json, operation: JsonPatchOperation): Json {
  const { op, path } = operation;
  switch (op) {
    case "add":
      return add(doc, path, structuredClone(operation.value));
    case "remove": {
      const { parent, key } = locate(doc, path, op);
      if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length - 1), 1);
      else if (key in parent) delete parent[key];
      else throw new PatchError(`remove operation does not apply: doc is missing path: ${JSON.stringify(path)}`);
      return doc;
    }
    case "replace": {
      if (path === "") return structuredClone(operation.value);
      const { parent, key } = locate(doc, path, op);
      if (Array.isArray(parent)) parent[arrayIndex(key, parent.length - 1)] = structuredClone(operation.value);
      else if (key in parent) parent[key] = structuredClone(operation.value);
      else throw new PatchError(`replace operation does not apply: doc is missing key: ${path}`);
      return doc;
    }
    case "move": {
      const value = getAt(doc, operation.from, op);
      const removed = applyOperation(doc, { op: "remove", path: operation.from });
      return add(removed, path, value);
    }
    case "copy":
      return add(doc, path, structuredClone(getAt(doc, operation.from, op)));
    case "test": {
      const actual = getAt(doc, path, op);
      if (!deepEqual(actual, operation.value)) throw new PatchError(`testing value ${path} failed: test failed`);
      return doc;
    }
  }
}

function add(doc: Json, path: string, value: Json): Json {
  if (path === "") return value;
  const { parent, key } = locate(doc, path, "add");
  if (Array.isArray(parent)) {
    if (key === "-") parent.push(value);
    else parent.splice(arrayIndex(key, parent.length), 0, value);
  } else parent[key] = value;
  return doc;
}

export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

// ---- strategic merge patch ----

/**
 * How a built-in kind's lists merge (its Go types' `patchStrategy:"merge"` and `patchMergeKey`), keyed by the
 * field path without indexes, e.g. `spec.containers` → "name". An empty key merges a list of scalars as a set.
 * Lists not named here are replaced whole, as for atomic lists.
 */
export type MergeKeys = Readonly<Record<string, string>>;

const DIRECTIVE = "$patch";
const SET_ORDER = "$setElementOrder/";
const DELETE_FROM_PRIMITIVE = "$deleteFromPrimitiveList/";
const RETAIN_KEYS = "$retainKeys";

export function strategicMergePatch(target: Json, patch: Json, mergeKeys: MergeKeys): Json {
  if (!isObject(patch)) throw new PatchError("strategic merge patch must be a JSON object");
  return mergeObject(isObject(target) ? target : {}, patch, mergeKeys, "");
}

function mergeObject(target: JsonObject, patch: JsonObject, keys: MergeKeys, path: string): JsonObject {
  const directive = patch[DIRECTIVE];
  if (directive === "replace") return withoutDirectives(patch);
  if (directive === "delete") return {};
  if (directive !== undefined && directive !== "merge") throw new PatchError(`Unknown patch type: ${String(directive)}`);
  const result: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (key === DIRECTIVE || key === RETAIN_KEYS || key.startsWith(SET_ORDER)) continue;
    if (key.startsWith(DELETE_FROM_PRIMITIVE)) {
      const field = key.slice(DELETE_FROM_PRIMITIVE.length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value)) result[field] = current.filter((v) => !value.some((d) => deepEqual(d, v)));
      continue;
    }
    const childPath = path ? `${path}.${key}` : key;
    if (value === null) delete result[key];
    else if (isObject(value) && isObject(result[key])) result[key] = mergeObject(result[key] as JsonObject, value, keys, childPath);
    else if (isObject(value)) result[key] = mergeObject({}, value, keys, childPath);
    else if (Array.isArray(value) && childPath in keys) result[key] = mergeList(asArray(result[key]), value, keys, childPath, patch[`${SET_ORDER}${key}`]);
    else result[key] = Array.isArray(value) ? value.map((item) => (isObject(item) ? withoutDirectives(item) : item)) : value;
  }
  const retain = patch[RETAIN_KEYS];
  if (Array.isArray(retain)) for (const key of Object.keys(result)) if (!retain.includes(key)) delete result[key];
  return result;
}

function mergeList(target: Json[], patch: Json[], keys: MergeKeys, path: string, order: Json): Json[] {
  const mergeKey = keys[path]!;
  if (patch.some((item) => isObject(item) && item[DIRECTIVE] === "replace")) {
    return patch.filter((item) => !(isObject(item) && item[DIRECTIVE] === "replace"));
  }
  let result: Json[];
  if (mergeKey === "") {
    result = [...target, ...patch.filter((v) => !target.some((t) => deepEqual(t, v)))];
  } else {
    result = [...target];
    for (const item of patch) {
      if (!isObject(item) || !(mergeKey in item)) throw new PatchError(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
      const at = result.findIndex((t) => isObject(t) && deepEqual(t[mergeKey], item[mergeKey]));
      if (item[DIRECTIVE] === "delete") {
        if (at >= 0) result.splice(at, 1);
      } else if (at >= 0) result[at] = mergeObject(result[at] as JsonObject, item, keys, path);
      else result.push(mergeObject({}, item, keys, path));
    }
  }
  return Array.isArray(order) ? applyOrder(result, order, mergeKey) : result;
}

/** `$setElementOrder`: items named in the order come first, in that order; the rest keep their relative order. */
function applyOrder(items: Json[], order: Json[], mergeKey: string): Json[] {
  const identity = (item: Json) => (mergeKey === "" ? item : isObject(item) ? item[mergeKey] : undefined);
  const rank = (item: Json) => {
    const i = order.findIndex((o) => deepEqual(mergeKey === "" ? o : isObject(o) ? o[mergeKey] : undefined, identity(item)));
    return i < 0 ? order.length : i;
  };
  return items.map((item, i) => ({ item, i, r: rank(item) })).sort((a, b) => a.r - b.r || a.i - b.i).map(({ item }) => item);
}

function withoutDirectives(object: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([k]) => k !== DIRECTIVE && k !== RETAIN_KEYS && !k.startsWith(SET_ORDER) && !k.startsWith(DELETE_FROM_PRIMITIVE)));
}

function asArray(value: Json): Json[] {
  return Array.isArray(value) ? value : [];
}
