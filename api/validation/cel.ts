// Running x-kubernetes-validations rules as kube-apiserver does (apiextensions-apiserver
// pkg/apiserver/schema/cel/validation.go): each rule at its schema location over every value there, oldSelf where
// old and new correlate, messageExpression, reason, fieldPath, runtime errors, the runtime cost budget and ratcheting.
//
// The rules arrive as programs the CEL compiler produced (the seam below). A rule without a program is reported
// as not evaluated, once, as a warning: it never passes silently. Programs get CEL values: the JSON of the object
// is converted by its schema (api/cel/schema-values.ts) here, once per validation and only below the first rule
// on each path, while walking it. A kind's generated walk (kind-code.ts) follows the same tree of rules (ruleTree)
// with programs over JSON, and reports through the same RuleRun.
import type { JSONSchemaProps, ValidationRule } from "../apiextensions.ts";
import type { CostMeter } from "../cel/runtime.ts";
import { escapePropertyName } from "../cel/schema-types.ts";
import { toCelValue } from "../cel/schema-values.ts";
import { type CelValue, Optional } from "../cel/values.ts";
import { errorString, fieldError, goQuote, OMITTED, pathString, type FieldError, type PathSegment } from "./errors.ts";
import type { FieldPath as DataPath } from "./prune.ts";
import { isObject } from "./schema.ts";
import { correlatedStep, isUnchanged } from "./ratcheting.ts";

/** Where a rule sits: schema keywords from openAPIV3Schema to the node carrying it, e.g. ["properties", "spec"]. */
export type SchemaLocation = readonly string[];

/** An x-kubernetes-validations rule and where it sits. */
export interface CelRuleSite {
  path: SchemaLocation;
  rule: ValidationRule;
}

/**
 * What a program is evaluated with: the CEL values (api/cel/values.ts) of the new and old value at the rule's
 * location, as api/cel/schema-values.ts converts them. `oldSelf` is present only for rules that use it and only
 * where an old value correlates; for optionalOldSelf rules it is always present, an Optional.
 */
export interface CelVars {
  self: CelValue;
  oldSelf?: CelValue;
}


/**
 * A compiled rule: `evaluate` returns the rule's result (true passes) and throws on a CEL runtime error; a program
 * stopped at the per-call cost limit throws an error whose message starts with
 * "operation cancelled: actual cost limit exceeded". `message` evaluates the rule's messageExpression.
 */
export interface CelProgram extends CelRuleSite {
  usesOldSelf: boolean;
  evaluate(vars: CelVars, meter?: CostMeter): unknown;
  message?(vars: CelVars, meter?: CostMeter): unknown;
}

/** One entry of a kind's rules table: a compiled program, or (until compiled) just the rule. */
export type CelRuleEntry = CelRuleSite | CelProgram;

/** Every x-kubernetes-validations rule of a schema with its location, parents before children. */
export function ruleSites(schema: JSONSchemaProps, path: SchemaLocation = []): CelRuleSite[] {
  return [
    ...(schema["x-kubernetes-validations"] ?? []).map((rule) => ({ path, rule })),
    ...Object.entries(schema.properties ?? {}).flatMap(([name, child]) => ruleSites(child, [...path, "properties", name])),
    ...(typeof schema.additionalProperties === "object" ? ruleSites(schema.additionalProperties, [...path, "additionalProperties"]) : []),
    ...(schema.items ? ruleSites(schema.items, [...path, "items"]) : []),
  ];
}

/** Cost budget of all rules of one object (k8s.io/apiserver/pkg/apis/cel RuntimeCELCostBudget). */
export const RUNTIME_COST_BUDGET = 10_000_000;
const MAX_MESSAGE_EXPRESSION_BYTES = 5 * 1024;
const OUT_OF_BUDGET = "validation failed due to running out of cost budget, no further validation rules will be run";
const CALL_LIMIT = "operation cancelled: actual cost limit exceeded";

/** A schema node on the way to rules: the rules it carries and its children that lead to more. */
export interface RuleNode {
  schema: JSONSchemaProps;
  entries: { entry: CelRuleEntry; fieldPath: readonly PathSegment[] }[];
  /** Some rule here reads oldSelf: the old value is converted too. */
  readsOld: boolean;
  /** Children by property name, and as a list to walk. */
  properties: Map<string, RuleNode>;
  children: RuleNode[];
  additionalProperties?: RuleNode;
  items?: RuleNode;
  /** The object's root or an embedded resource (rules see only name and generateName of its metadata). */
  resourceRoot: boolean;
  /** For a property: its name, and its name in the parent's CEL value (escaped). */
  name: string;
  celName: string;
}

/**
 * The rules of a schema arranged along it: the root's node, or undefined without rules. Children come in the
 * order of the rules table (parents before children, properties in schema order), which is the order rules run in.
 */
export function ruleTree(schema: JSONSchemaProps, entries: readonly CelRuleEntry[]): RuleNode | undefined {
  let root: RuleNode | undefined;
  for (const entry of entries) {
    root ??= ruleNode(schema, true, "");
    let node = root;
    for (let i = 0; i < entry.path.length; i++) {
      const keyword = entry.path[i]!;
      if (keyword === "properties") {
        const name = entry.path[++i]!;
        const child = node.schema.properties?.[name];
        if (!child) throw new Error(`no property ${name} at ${entry.path.join("/")}`);
        const parent = node;
        node = getOrAdd(node.properties, name, () => {
          const created = ruleNode(child, false, name);
          parent.children.push(created);
          return created;
        });
      } else if (keyword === "items" && node.schema.items) {
        node = node.items ??= ruleNode(node.schema.items, false, "");
      } else if (keyword === "additionalProperties" && typeof node.schema.additionalProperties === "object") {
        node = node.additionalProperties ??= ruleNode(node.schema.additionalProperties, false, "");
      } else {
        throw new Error(`x-kubernetes-validations cannot sit at ${entry.path.join("/")}`);
      }
    }
    node.entries.push({ entry, fieldPath: ruleFieldPath(entry.rule.fieldPath, node.schema) });
    if ("evaluate" in entry && entry.usesOldSelf) node.readsOld = true;
  }
  return root;
}

/** The rules of one kind, arranged along its schema once. */
export class CelRules {
  private readonly root: RuleNode | undefined;
  private readonly schema: JSONSchemaProps;

  constructor(schema: JSONSchemaProps, entries: readonly CelRuleEntry[]) {
    this.schema = schema;
    this.root = ruleTree(schema, entries);
  }

  /** Evaluates every rule over `object` (and `old` on update); errors and warnings go to `report`. */
  run(object: unknown, old: unknown, report: RuleReport): void {
    if (!this.root) return;
    visit(this.root, object, undefined, old, undefined, [], [], new RuleRun(this.schema, object, old, report));
  }
}

export interface RuleReport {
  errors: FieldError[];
  warnings: string[];
}

/**
 * One validation's evaluation of rules (the generic walk below, or a kind's generated walk): the cost budget,
 * where errors and warnings go, and whether evaluation has stopped.
 */
export class RuleRun {
  readonly schema: JSONSchemaProps;
  readonly object: unknown;
  readonly old: unknown;
  readonly errors: FieldError[];
  readonly warnings: string[];
  budget = RUNTIME_COST_BUDGET;
  /** What the evaluations so far can have cost at most, by their estimates (kind-code.ts, metered kinds). */
  bound = 0;
  /** Handed to every evaluation, reset before each. */
  readonly meter: CostMeter = { cost: 0 };
  stopped = false;
  private notEvaluated: Set<CelRuleEntry> | undefined;

  constructor(schema: JSONSchemaProps, object: unknown, old: unknown, report: RuleReport) {
    this.schema = schema;
    this.object = object;
    this.old = old;
    this.errors = report.errors;
    this.warnings = report.warnings;
  }

  /** Reports, once, a rule that has no program to run. */
  notCompiled(entry: CelRuleEntry, at: readonly PathSegment[]): void {
    this.notEvaluated ??= new Set();
    if (this.notEvaluated.has(entry)) return;
    this.notEvaluated.add(entry);
    this.warnings.push(`${pathString(at)}: x-kubernetes-validations rule was not evaluated (no compiled CEL program): ${entry.rule.rule}`);
  }

  /**
   * What follows an evaluation of `rule` at `at` (`dataAt` in the object), which cost `this.meter.cost` and
   * returned `result` or failed: the budget is charged and a failure, or a result other than true, reported
   * (ratcheted where the rule ignores oldSelf and the value is unchanged). `message` evaluates the
   * messageExpression. Returns true when evaluation stops here.
   */
  settle(
    rule: ValidationRule, usesOldSelf: boolean, fieldPath: readonly PathSegment[], outcome: { result: unknown } | { failure: Error },
    message: ((meter: CostMeter) => unknown) | undefined, value: unknown, at: readonly PathSegment[], dataAt: DataPath, type: string,
  ): boolean {
    if (this.meter.cost > this.budget) return this.stop(fieldError.invalid(at, type, OUT_OF_BUDGET));
    this.budget -= this.meter.cost;
    if ("failure" in outcome) {
      const text = outcome.failure.message;
      if (text.startsWith(CALL_LIMIT)) {
        return this.stop(fieldError.invalid(at, type, `'${text}': no further validation rules will be run due to call cost exceeds limit for rule: ${ruleErrorString(rule)}`));
      }
      const detail = text.startsWith("no such overload")
        ? `'${text}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleErrorString(rule)}`
        : `${text} evaluating rule: ${ruleErrorString(rule)}`;
      this.errors.push(fieldError.invalid(at, type, detail));
      return false;
    }
    if (outcome.result === true) return false;
    const errorAt = [...at, ...fieldPath];
    const detail = this.messageOf(rule, message, errorAt, type);
    if (detail === undefined) return true;
    const error = failureError(rule, errorAt, value, detail);
    // A rule that does not look at oldSelf and fails on an unchanged value is ratcheted: a warning, not an error.
    if (!usesOldSelf && isUnchanged(this.schema, this.object, this.old, dataAt)) this.warnings.push(errorString(error));
    else this.errors.push(error);
    return false;
  }

  /** Reports that evaluation stops, and stops it (returns true). */
  stop(error: FieldError): boolean {
    this.errors.push(error);
    this.stopped = true;
    return true;
  }

  /** The failure message: messageExpression's result when it evaluates to a usable string, else the rule's message. */
  private messageOf(rule: ValidationRule, evaluate: ((meter: CostMeter) => unknown) | undefined, at: readonly PathSegment[], type: string): string | undefined {
    if (rule.messageExpression === undefined || !evaluate) return ruleMessageOrDefault(rule);
    const meter = this.meter;
    meter.cost = 0;
    let message: unknown;
    try {
      message = evaluate(meter);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith(CALL_LIMIT)) {
        this.stop(fieldError.invalid(at, type, `no further validation rules will be run due to call cost exceeds limit for messageExpression: ${goQuote(rule.messageExpression)}`));
        return undefined;
      }
    }
    if (meter.cost > this.budget) {
      this.stop(fieldError.invalid(at, type, "messageExpression evaluation failed due to running out of cost budget, no further validation rules will be run"));
      return undefined;
    }
    this.budget -= meter.cost;
    const text = typeof message === "string" ? message.trim() : "";
    const usable = text !== "" && !text.includes("\n") && new TextEncoder().encode(text).length <= MAX_MESSAGE_EXPRESSION_BYTES;
    return usable ? text : ruleMessageOrDefault(rule);
  }
}

function ruleNode(schema: JSONSchemaProps, root: boolean, name: string): RuleNode {
  const resourceRoot = root || schema["x-kubernetes-embedded-resource"] === true;
  return { schema, entries: [], readsOld: false, properties: new Map(), children: [], resourceRoot, name, celName: escapePropertyName(name) ?? name };
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  if (!map.has(key)) map.set(key, create());
  return map.get(key)!;
}

/**
 * Walks the new value (`value`, and `cel` as rules see it once a rule at or above it needed it) and the old value
 * correlated with it. `at` (field path) and `dataAt` (keys into the object) are shared along the walk: pushed,
 * popped, copied when kept.
 */
function visit(
  node: RuleNode, value: unknown, cel: CelValue | undefined, old: unknown, oldCel: CelValue | undefined,
  at: PathSegment[], dataAt: DataPath, run: RuleRun,
): void {
  if (value === null || value === undefined || run.stopped) return;
  const hasOld = old !== null && old !== undefined;
  if (node.entries.length > 0) {
    cel ??= toCelValue(value, node.schema, node.resourceRoot);
    if (hasOld && node.readsOld) oldCel ??= toCelValue(old, node.schema, node.resourceRoot);
    evaluateRules(node, value, cel, hasOld ? oldCel : undefined, hasOld, at, dataAt, run);
  }
  if (Array.isArray(value)) {
    const items = node.items;
    if (!items) return;
    // Items correlate with old ones only in map lists, by key.
    const correlates = hasOld && node.schema["x-kubernetes-list-type"] === "map";
    for (let i = 0; i < value.length && !run.stopped; i++) {
      const j = correlates ? (correlatedStep(node.schema, old, i, value[i]) as number | undefined) : undefined;
      at.push(i);
      dataAt.push(i);
      visit(items, value[i], own(cel, i), j === undefined ? undefined : (old as unknown[])[j], j === undefined ? undefined : own(oldCel, j), at, dataAt, run);
      at.pop();
      dataAt.pop();
    }
  } else if (isObject(value)) {
    const oldObject = hasOld && isObject(old) ? old : undefined;
    const values = node.additionalProperties;
    if (values) {
      for (const key in value) {
        if (run.stopped) return;
        const oldChild = oldObject === undefined ? undefined : own(oldObject, key);
        at.push({ key });
        dataAt.push(key);
        visit(values, value[key], own(cel, key), oldChild, oldChild === undefined ? undefined : own(oldCel, key), at, dataAt, run);
        at.pop();
        dataAt.pop();
      }
      return;
    }
    for (const sub of node.children) {
      if (run.stopped) return;
      const name = sub.name;
      const child = own(value, name);
      if (child === undefined) continue;
      const oldChild = oldObject === undefined ? undefined : own(oldObject, name);
      at.push(name);
      dataAt.push(name);
      visit(sub, child, own(cel, sub.celName), oldChild, oldChild === undefined ? undefined : own(oldCel, sub.celName), at, dataAt, run);
      at.pop();
      dataAt.pop();
    }
  }
}

/**
 * The own property `key` of a JSON or CEL value (a list item for a number), if any. Inherited members are
 * functions, or the prototype for __proto__, which such values never hold.
 */
export function own<T>(parent: T | undefined, key: string | number): T | undefined {
  if (typeof parent !== "object" || parent === null) return undefined;
  const child = (parent as Record<string | number, T>)[key];
  return child === undefined || typeof child === "function" || (key === "__proto__" && !Object.hasOwn(parent, key)) ? undefined : child;
}

function evaluateRules(
  node: RuleNode, value: unknown, self: CelValue, oldSelf: CelValue | undefined, hasOld: boolean,
  at: readonly PathSegment[], dataAt: DataPath, run: RuleRun,
): void {
  const type = node.schema.type ?? "";
  if (run.budget <= 0) {
    run.stop(fieldError.invalid(at, type, OUT_OF_BUDGET));
    return;
  }
  // The three ways rules see the values here, each made once, when a rule first needs it.
  let plain: CelVars | undefined;
  let transition: CelVars | undefined;
  let optional: CelVars | undefined;
  for (const { entry, fieldPath } of node.entries) {
    if (!("evaluate" in entry)) {
      run.notCompiled(entry, at);
      continue;
    }
    let vars: CelVars;
    if (!entry.usesOldSelf) vars = plain ??= { self };
    else if (entry.rule.optionalOldSelf) vars = optional ??= { self, oldSelf: hasOld ? Optional.of(oldSelf!) : Optional.none };
    else if (hasOld) vars = transition ??= { self, oldSelf: oldSelf! };
    else continue; // transition rules need an old value
    const meter = run.meter;
    meter.cost = 0;
    let outcome: { result: unknown } | { failure: Error };
    try {
      outcome = { result: entry.evaluate(vars, meter) };
    } catch (error) {
      outcome = { failure: error instanceof Error ? error : new Error(String(error)) };
    }
    const message = entry.message && ((m: CostMeter) => entry.message!(vars, m));
    if (run.settle(entry.rule, entry.usesOldSelf, fieldPath, outcome, message, value, at, dataAt, type)) return;
  }
}

/** The error a failed rule raises: its reason decides the type; simple values are shown, objects and lists not. */
function failureError(rule: ValidationRule, at: readonly PathSegment[], value: unknown, detail: string): FieldError {
  const shown = typeof value === "object" && value !== null ? OMITTED : value;
  switch (rule.reason) {
    case "FieldValueForbidden":
      return fieldError.forbidden(at, detail);
    case "FieldValueRequired":
      return fieldError.required(at, detail);
    case "FieldValueDuplicate":
      return fieldError.duplicate(at, shown);
    default:
      return fieldError.invalid(at, shown, detail);
  }
}

function ruleMessageOrDefault(rule: ValidationRule): string {
  return rule.message ? rule.message.trim() : `failed rule: ${ruleErrorString(rule)}`;
}

function ruleErrorString(rule: ValidationRule): string {
  return (rule.message || rule.rule).trim();
}

/** A rule's fieldPath (`.a.b`, `['a.b']`, `.map['key']`) as path segments below the rule's location. */
function ruleFieldPath(fieldPath: string | undefined, schema: JSONSchemaProps): PathSegment[] {
  const segments: PathSegment[] = [];
  let node: JSONSchemaProps | undefined = schema;
  const token = /\.([^.[\]]+)|\['((?:[^'\\]|\\.)*)'\]/y;
  let rest = fieldPath ?? "";
  while (rest !== "") {
    token.lastIndex = 0;
    const match = token.exec(rest);
    if (!match) throw new Error(`invalid fieldPath ${fieldPath}`);
    const name = match[1] ?? match[2]!.replace(/\\(.)/g, "$1");
    const named: boolean = node?.properties !== undefined;
    segments.push(named ? name : { key: name });
    node = named ? node?.properties?.[name] : typeof node?.additionalProperties === "object" ? node.additionalProperties : undefined;
    rest = rest.slice(match[0].length);
  }
  return segments;
}
