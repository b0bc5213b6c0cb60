// What a kind's generated walks (kind-code.ts) call at run time: copies, the generic decoder for values a node does
// not describe, list-type checks, and the reporting of failed rules, with the paths of where they happened. A
// generated function knows its node's path but for list indexes and map keys, which it keeps in `at`; a path
// template names the node's path with null where those go.
import type { JSONSchemaProps } from "../apiextensions.ts";
import { Optional } from "../cel/values.ts";
import { type CelRuleEntry, type CelRuleSite, CelRules, own, type RuleReport, RuleRun, RUNTIME_COST_BUDGET } from "./cel.ts";
import { decode, decodeAt } from "./decode.ts";
import type { FieldError, PathSegment } from "./errors.ts";
import { listErrors } from "./list-types.ts";
import { decodeMetadata, decodeRootMetadata } from "./metadata.ts";
import type { FieldPath } from "./prune.ts";
import { correlatedStep } from "./ratcheting.ts";
import { Memory } from "./remembered.ts";
import { copyJson, copyUpTo } from "./schema.ts";

/**
 * The walks of one kind as generated code, with the results of the generic ones (validate.ts genericCode).
 */
export interface KindCode {
  /**
   * decode.ts's decode of a whole object (its root is the resource's), with its metadata coerced to ObjectMeta
   * (metadata.ts coerceMetadata); pruned fields are reported into `unknown`. The result may share what decoding
   * does not change with the input, even be the input: neither is to be modified.
   */
  decode(input: Record<string, unknown>, unknown: FieldPath[]): Record<string, unknown>;
  listTypes(object: unknown): FieldError[];
  /** Whether the kind has CEL rules at all. */
  hasRules: boolean;
  rules(object: unknown, old: unknown, report: RuleReport): void;
}

/** A node's path, null standing for each list index or map key, which `at` gives in order. */
export type PathTemplate = readonly (string | null)[];

/** The path into the object (keys and indexes) a template and its dynamic parts name, `key` appended if given. */
function fieldPath(template: PathTemplate, at: readonly (string | number)[], key?: string): FieldPath {
  let next = 0;
  const path = template.map((step) => step ?? (at[next++] as string | number));
  if (key !== undefined) path.push(key);
  return path;
}

/** The field path errors name for a template and its dynamic parts: map keys as {key}. */
function segments(template: PathTemplate, at: readonly (string | number)[]): PathSegment[] {
  let next = 0;
  return template.map((step) => {
    if (step !== null) return step;
    const part = at[next++] as string | number;
    return typeof part === "string" ? { key: part } : part;
  });
}

/** `out[key] = value`, where a "__proto__" key is data, not the object's prototype. */
function set(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key !== "__proto__") out[key] = value;
  else Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A rule of the kind as its generated walk reports it: the rule, and its programs over JSON. */
export interface RuleEntry extends CelRuleSite {
  usesOldSelf: boolean;
  fieldPath: readonly PathSegment[];
  /** The schema type of the rule's node, as errors at the node show it. */
  type: string;
  message?: (self: unknown, oldSelf: unknown) => unknown;
}

function entry(site: CelRuleSite, usesOldSelf: boolean, fieldPath: readonly PathSegment[], type: string, message?: RuleEntry["message"]): RuleEntry {
  return { path: site.path, rule: site.rule, usesOldSelf, fieldPath, type, ...(message && { message }) };
}

/** A program that threw: what the generated walk holds instead of a result. */
class Thrown {
  readonly failure: Error;

  constructor(error: unknown) {
    this.failure = error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * Reports an evaluation of `entry` that did not return true (`result`, or a Thrown) on `self` (and `oldSelf`, as
 * the program got it) at the node of `template` and `at`. Returns true when evaluation stops.
 */
function settle(run: RuleRun, entry: RuleEntry, result: unknown, self: unknown, oldSelf: unknown, template: PathTemplate, at: readonly (string | number)[]): boolean {
  const message = entry.message && (() => entry.message!(self, oldSelf));
  const outcome = result instanceof Thrown ? result : { result };
  return run.settle(entry.rule, entry.usesOldSelf, entry.fieldPath, outcome, message, self, segments(template, at), fieldPath(template, at), entry.type);
}

/** The default of a node as decoding applies it (its own nested defaults applied), made once per node. */
function decodedDefault(schema: JSONSchemaProps): unknown {
  return decode(schema.default, schema).value;
}

/** The index in the old list of the map-list item that correlates with `item` (ratcheting.ts), or undefined. */
function correlatedItem(schema: JSONSchemaProps, old: unknown, index: number, item: unknown): unknown {
  const j = correlatedStep(schema, old, index, item);
  return j === undefined ? undefined : (old as unknown[])[j as number];
}

/** How far a report went, to take back what a walk reported. */
function mark(report: RuleReport): { errors: number; warnings: number } {
  return { errors: report.errors.length, warnings: report.warnings.length };
}

/** The rules run again by the generic walks with metered programs, instead of what a walk reported since `since`. */
function runMetered(
  metered: readonly CelRuleEntry[], schema: JSONSchemaProps, object: unknown, old: unknown, report: RuleReport, since: ReturnType<typeof mark>,
): void {
  report.errors.length = since.errors;
  report.warnings.length = since.warnings;
  new CelRules(schema, metered).run(object, old, report);
}

export const kindHelpers = {
  Memory,
  RUNTIME_COST_BUDGET,
  mark,
  runMetered,
  copy: copyJson,
  copyUpTo,
  decodeRootMetadata,
  decodeMetadata,
  own,
  correlatedItem,
  RuleRun,
  entry,
  set,
  fieldPath,
  segments,
  decodeAt,
  decodedDefault,
  listErrors,
  Optional,
  Thrown,
  settle,
};

export type KindHelpers = typeof kindHelpers;
