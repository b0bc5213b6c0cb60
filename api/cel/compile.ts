// Compiles a parsed CEL expression into JavaScript source: a program `(rt) => (vars) => value`, which generated
// validators embed and bind once to their runtime, or a function `(vars, rt) => value` (compileToFunction).
// The emitted code is straight-line JavaScript over the runtime helpers (`rt.*`, runtime.ts) and the function
// dispatchers of a Registry (`rt.fn[...]`): no parsing or AST walking at run time. CEL's error semantics are
// spelled out in the code: `&&` and `||` hold a failed operand as a value (rt.Failed) so the other side can
// absorb it, `?:` evaluates only the taken branch, comprehensions are loops whose accumulator may hold an error
// that a later `&&`/`||` step absorbs (cel-go's fold), and `or`/`orValue` skip their argument when the optional
// has a value.
//
// Where the argument types of a call are known (literals, constants, bool results of operators) or cheap to
// test (typeof), the call goes straight to the overload dispatch would pick, with the dispatcher as the fallback
// when a test fails; `==` against a string, bool or null literal is `===`; int and double comparisons are
// JavaScript's, and `size(x) < n` counts without making an int. Zero-argument functions (format.dns1123Label())
// are evaluated once per binding. Run-time values are always tested: a value that does not fit its schema (one
// ratcheting let through) meets the dispatcher, and its errors, as before.
//
// Programs over JSON (compileJsonProgram) take `self` and `oldSelf` as decoded JSON of their schema node rather
// than as CEL values: fields are read, and lists iterated, in the JSON itself, and only what reaches an operator
// or a function is converted (api/cel/schema-values.ts), so a rule pays for the parts of the object it reads.
import type { JSONSchemaProps } from "../apiextensions.ts";
import type { Comprehension, Expr, ParsedExpr } from "./ast.ts";
import type { Library, Overload } from "./functions.ts";
import { formatIssues, parse, type ParseOptions } from "./parser.ts";
import { callKey, Registry } from "./registry.ts";
import { type Helpers, type Runtime, typeName } from "./runtime.ts";
import { escapePropertyName } from "./schema-types.ts";
import { convertsAsIs, convertsAsList, convertsAsObject } from "./schema-values.ts";
import { type CelValue, CelUint } from "./values.ts";

export interface CompileOptions {
  /**
   * Variables the expression may reference, possibly qualified (`a.b`); they resolve at compile time, longest
   * qualified name first. Any other identifier is looked up in `vars` at run time.
   */
  variables?: Iterable<string>;
  /** cel-go's container: names resolve relative to it first. */
  container?: string;
  /**
   * The program counts its actual cost as cel-go's cost tracker does, into a meter it takes after the variables
   * (`(vars, meter) => value`), and stops past the per-call limit: identifiers and field selections cost 1, calls
   * their overload's runtime cost (else 1), list and map literals 10 and 30. It runs the expression as written,
   * without the shortcuts that skip calls. Not for programs over JSON.
   */
  meter?: boolean;
}

/** An expression that cannot be compiled (e.g. it calls an unknown function), located like a parse error. */
export class CelCompileError extends Error {
  constructor(source: string, offset: number | undefined, message: string) {
    super(formatIssues(source, [{ message, offset }]));
    this.name = "CelCompileError";
  }
}

/** A compiled expression: evaluate with variables and the runtime of the registry it was compiled for. */
export type CompiledExpr = (vars: Readonly<Record<string, CelValue>>, rt: Runtime) => CelValue;

/** The JavaScript source of `(vars, rt) => value` for a parsed expression. */
export function compile(parsed: ParsedExpr, registry: Registry, options: CompileOptions = {}): string {
  return new Codegen(parsed, registry, options).emit();
}

/** An expression compiled to be bound to its runtime once, then evaluated many times. */
export interface CompiledProgram {
  /**
   * The JavaScript source of `(rt) => (vars) => value`: binding to the runtime looks up its helpers and function
   * dispatchers once, so an evaluation does no lookups by name.
   */
  source: string;
  /** The declared variables (`variables` of the options) the expression reads. */
  reads: ReadonlySet<string>;
}

/** Compiles a parsed expression into a program (the form generated validators embed). */
export function compileProgram(parsed: ParsedExpr, registry: Registry, options: CompileOptions = {}): CompiledProgram {
  const codegen = new Codegen(parsed, registry, options);
  return { source: codegen.emitProgram(), reads: codegen.reads };
}

/** Variables holding decoded JSON of a schema node (a rule's `self` and `oldSelf`) instead of CEL values. */
export interface JsonVariables {
  /** The schema node of their values. */
  schema: JSONSchemaProps;
  /** The node is the object's root (rules see only name and generateName of its metadata). */
  resourceRoot: boolean;
  /** Which of the declared variables hold JSON; the others hold CEL values. */
  names: readonly string[];
}

/**
 * Compiles a parsed expression into a program over JSON: its source is `(rt, node) => (...variables) => value`,
 * bound once to the runtime and to the schema node of the JSON variables (a node equal to `json.schema`), then
 * called with the declared variables in their order.
 */
export function compileJsonProgram(parsed: ParsedExpr, registry: Registry, options: CompileOptions & { json: JsonVariables }): CompiledProgram {
  const codegen = new Codegen(parsed, registry, options);
  return { source: codegen.emitJsonProgram(), reads: codegen.reads };
}

const registries = new WeakMap<readonly Library[], Registry>();

/** Parses and compiles an expression into a function of its variables (the registry is cached per libraries array). */
export function compileToFunction(
  source: string,
  libraries: readonly Library[],
  options: CompileOptions & { parse?: ParseOptions } = {},
): (vars?: Readonly<Record<string, CelValue>>) => CelValue {
  let registry = registries.get(libraries);
  if (!registry) registries.set(libraries, (registry = new Registry(libraries)));
  const fn = new Function(`return ${compile(parse(source, options.parse), registry, options)}`)() as CompiledExpr;
  const rt = registry.runtime;
  return (vars = {}) => fn(vars, rt);
}

interface Local {
  js: string;
  /** An accumulator may hold a failed step (rt.Failed) that only `&&`, `||` and their kin can absorb. */
  accumulator: boolean;
  /** The local holds decoded JSON (an item of a JSON list). */
  json?: JsonType;
}

/** A JSON value's schema node, at compile time and (a name bound once) at run time. */
interface JsonType {
  schema: JSONSchemaProps;
  node: string;
  resource: boolean;
}

/** A declared property of an object node that a program reads in the JSON itself, and its name there. */
interface JsonProperty {
  key: string;
  type: JsonType;
}

/** A call after resolving namespaced functions (`optional.of(x)`): the key parts and operands, receiver first. */
interface ResolvedCall {
  fn: string;
  receiver: boolean;
  operands: readonly Expr[];
}

/** Type names of values a call site can test for cheaply, with the test. */
const TESTS: Record<string, (js: string) => string> = {
  string: (js) => `typeof ${js} === "string"`,
  bool: (js) => `typeof ${js} === "boolean"`,
  int: (js) => `typeof ${js} === "bigint"`,
  double: (js) => `typeof ${js} === "number"`,
};

const ORDERING: Record<string, string> = { "_<_": "<", "_<=_": "<=", "_>_": ">", "_>=_": ">=" };
const BOOL_RESULTS = new Set(["_==_", "_!=_", "!_", "@in", "@not_strictly_false", "_&&_", "_||_", ...Object.keys(ORDERING)]);

/** Calls compiled inline rather than dispatched, for their evaluation order or error semantics. */
const INTRINSICS = new Set(["_&&_", "_||_", "_?_:_", "@not_strictly_false", "_[_]", "_[?_]", "_?._"]);

class Codegen {
  private readonly source: string;
  private readonly offsets: ReadonlyMap<number, number>;
  private readonly root: Expr;
  private readonly registry: Registry;
  private readonly variables: ReadonlySet<string>;
  private readonly container: string;
  /** Per binding to a runtime: helpers and dispatchers read from `rt`. */
  private readonly statics: string[] = [];
  /** Per evaluation: variables and the temporaries of field selections. */
  private readonly prologue: string[] = [];
  private readonly hoisted = new Map<string, string>();
  readonly reads = new Set<string>();
  private readonly scopes: Map<string, Local>[] = [];
  private readonly statementful = new Map<Expr, boolean>();
  private counter = 0;
  /** JSON mode: the variables holding JSON, and their type. */
  private readonly jsonVariables: ReadonlySet<string>;
  private readonly jsonRoot: JsonType | undefined;
  /** Variables are the program's parameters, in this order (JSON mode), rather than entries of `vars`. */
  private readonly parameters: readonly string[] | undefined;
  /** Metered: costs are added to the meter `m` (CompileOptions.meter). */
  private readonly metered: boolean;

  constructor(parsed: ParsedExpr, registry: Registry, options: CompileOptions & { json?: JsonVariables }) {
    this.source = parsed.source;
    this.offsets = parsed.offsets;
    this.root = parsed.expr;
    this.registry = registry;
    this.variables = new Set(options.variables ?? []);
    this.container = options.container ?? "";
    this.jsonVariables = new Set(options.json?.names ?? []);
    const json = options.json;
    this.jsonRoot = json && { schema: json.schema, node: "node", resource: json.resourceRoot || json.schema["x-kubernetes-embedded-resource"] === true };
    this.parameters = options.json && [...this.variables];
    this.metered = options.meter === true;
    if (this.metered && json) throw new Error("programs over JSON are not metered");
  }

  emit(): string {
    const body: string[] = [];
    const result = this.expr(this.root, body);
    return ["(vars, rt) => {", ...this.statics, ...this.prologue, ...body, `return ${result};`, "}"].join("\n");
  }

  emitProgram(): string {
    const body: string[] = [];
    const result = this.expr(this.root, body);
    return ["(rt) => {", ...this.statics, `return (${this.metered ? "vars, m" : "vars"}) => {`, ...this.prologue, ...body, `return ${result};`, "};", "}"].join("\n");
  }

  emitJsonProgram(): string {
    const body: string[] = [];
    const result = this.expr(this.root, body);
    const parameters = (this.parameters ?? []).map((_, i) => `p${i}`).join(", ");
    const vars = this.hoisted.has("rt:lookup") ? ["const vars = {};"] : []; // identifiers other than the parameters are unbound
    return ["(rt, node) => {", ...vars, ...this.statics, `return (${parameters}) => {`, ...this.prologue, ...body, `return ${result};`, "};", "}"].join("\n");
  }

  private fail(e: Expr, message: string): never {
    throw new CelCompileError(this.source, this.offsets.get(e.id), message);
  }

  private temp(prefix = "t"): string {
    return `${prefix}${++this.counter}`;
  }

  /**
   * A value computed once, at the top of the function: per binding to the runtime (`rt` lookups, `perEvaluation`
   * false) or per evaluation (variables).
   */
  private hoist(key: string, init: string, prefix: string, perEvaluation = false): string {
    let name = this.hoisted.get(key);
    if (!name) {
      name = this.temp(prefix);
      this.hoisted.set(key, name);
      (perEvaluation ? this.prologue : this.statics).push(`const ${name} = ${init};`);
    }
    return name;
  }

  /** A runtime helper, read from `rt` once per evaluation. */
  private rt(name: keyof Helpers): string {
    return this.hoist(`rt:${name}`, `rt.${name}`, `${name}_`);
  }

  // --- expressions: each returns a JavaScript expression, emitting any statements it needs into `out`

  private expr(e: Expr, out: string[]): string {
    const js = this.value(e, out);
    if (!this.metered) return js;
    // What cel-go charges for the node itself (calls charge in call() and intrinsic(), which know their arguments).
    let units = 0;
    if (e.kind === "ident") units = 1;
    // A presence test costs what its operand does (cel-go's evalTestOnly); a dotted name is compiled whole.
    else if (e.kind === "select") units = e.test ? 0 : (this.qualifiedName(e)?.length ?? 1);
    else if (e.kind === "list") units = 10;
    else if (e.kind === "map") units = 30;
    return units === 0 ? js : this.charged(js, String(units));
  }

  /** `js`, its value then charged `units` (a JavaScript expression) to the meter. */
  private charged(js: string, units: string): string {
    const t = this.temp();
    this.prologue.push(`let ${t};`);
    return `(${t} = ${js}, ${this.rt("charge")}(m, ${units}), ${t})`;
  }

  private value(e: Expr, out: string[]): string {
    const json = this.jsonTypeOf(e);
    if (json) return this.converted(this.jsonValue(e), json);
    switch (e.kind) {
      case "literal":
        return literal(e.value);
      case "ident": {
        const local = this.local(e.name);
        if (local) return local.accumulator ? `${this.rt("val")}(${local.js})` : local.js;
        return this.qualified([e.name]);
      }
      case "select": {
        if (e.test) {
          const operand = this.jsonTypeOf(e.operand);
          const property = operand && this.jsonProperty(operand, e.field);
          if (operand && property) return this.jsonHas(this.jsonValue(e.operand), operand, e.field, property);
          return this.field(this.expr(e.operand, out), e.field, true);
        }
        const name = this.qualifiedName(e);
        if (name) return this.qualified(name);
        return this.field(this.expr(e.operand, out), e.field, false);
      }
      case "list": {
        const elements = this.operands(e.elements, out);
        return e.optional.length === 0 ? `[${elements}]` : `${this.rt("listLiteral")}([${elements}], ${JSON.stringify(e.optional)})`;
      }
      case "map": {
        const parts = this.operands(e.entries.flatMap((en) => [en.key, en.value]), out);
        const entries = e.entries.map((_, i) => `[${parts[2 * i]}, ${parts[2 * i + 1]}]`);
        const optional = e.entries.flatMap((en, i) => (en.optional ? [i] : []));
        return `${this.rt("mapLiteral")}([${entries.join(", ")}], ${JSON.stringify(optional)})`;
      }
      case "struct":
        return this.fail(e, `message literals are not supported: ${e.type}`);
      case "comprehension":
        return this.comprehension(e, out);
      case "call":
        return this.call(e, out);
    }
  }

  /**
   * Compiles operands left to right. An operand is captured in a temporary when a later one emits statements,
   * so that evaluation (and so which error is reported) keeps cel-go's left-to-right order.
   */
  private operands(exprs: readonly Expr[], out: string[]): string[] {
    return exprs.map((operand, i) => {
      const js = this.expr(operand, out);
      const laterStatements = exprs.slice(i + 1).some((later) => this.needsStatements(later));
      if (!laterStatements || /^(?:[A-Za-z_$][\w$]*|-?\d[\w.]*|"(?:[^"\\]|\\.)*"|true|false|null)$/.test(js)) return js;
      const t = this.temp();
      out.push(`const ${t} = ${js};`);
      return t;
    });
  }

  /** Whether compiling an expression emits statements (short-circuit logic, comprehensions, `or`/`orValue`). */
  private needsStatements(e: Expr): boolean {
    let result = this.statementful.get(e);
    if (result === undefined) {
      result = this.computeNeedsStatements(e);
      this.statementful.set(e, result);
    }
    return result;
  }

  private computeNeedsStatements(e: Expr): boolean {
    switch (e.kind) {
      case "literal":
      case "ident":
        return false;
      case "select":
        return this.needsStatements(e.operand);
      case "list":
        return e.elements.some((x) => this.needsStatements(x));
      case "map":
        return e.entries.some((x) => this.needsStatements(x.key) || this.needsStatements(x.value));
      case "struct":
        return false;
      case "comprehension":
        return true;
      case "call":
        if (["_&&_", "_||_", "@not_strictly_false"].includes(e.fn) || this.isShortCircuitOptional(e)) return true;
        return (e.target !== undefined && this.needsStatements(e.target)) || e.args.some((a) => this.needsStatements(a));
    }
  }

  // --- names

  private local(name: string): Local | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const local = this.scopes[i]?.get(name);
      if (local) return local;
    }
    return undefined;
  }

  /** The parts of a dotted name (`a.b.c`) rooted at a non-local identifier, or undefined. */
  private qualifiedName(e: Expr): string[] | undefined {
    if (e.kind === "ident") return this.local(e.name) ? undefined : [e.name];
    if (e.kind === "select" && !e.test) {
      const operand = this.qualifiedName(e.operand);
      return operand && [...operand, e.field];
    }
    return undefined;
  }

  /** Candidate spellings of a name: relative to the container (innermost first), then as written. */
  private candidates(name: string): string[] {
    if (name.startsWith(".")) return [name.slice(1)];
    const out: string[] = [];
    for (let c = this.container; c !== ""; c = c.includes(".") ? c.slice(0, c.lastIndexOf(".")) : "") out.push(`${c}.${name}`);
    out.push(name);
    return out;
  }

  /** A dotted name: the longest prefix that is a declared variable, then field selections; else a type or a run-time lookup. */
  private qualified(parts: readonly string[]): string {
    for (let j = parts.length; j > 0; j--) {
      for (const candidate of this.candidates(parts.slice(0, j).join("."))) {
        if (this.variables.has(candidate)) return this.selects(this.variable(candidate), parts.slice(j));
      }
    }
    const full = parts.join(".").replace(/^\./, "");
    if (this.registry.typeNames.has(full)) return this.hoist(`type:${full}`, `rt.types[${JSON.stringify(full)}]`, "type_");
    const root = (parts[0] as string).replace(/^\./, "");
    return this.selects(`${this.rt("lookup")}(vars, ${JSON.stringify(root)})`, parts.slice(1));
  }

  private variable(name: string): string {
    this.reads.add(name);
    const source = this.parameters ? `p${this.parameters.indexOf(name)}` : `vars[${JSON.stringify(name)}]`;
    const v = this.hoist(`var:${name}`, source, "v", true);
    return `(${v} === undefined ? ${this.rt("unbound")}(${JSON.stringify(name)}) : ${v})`;
  }

  // --- JSON values (JSON mode): what is read in the JSON, and where it is converted

  /** The schema node of an expression whose value is JSON: a JSON variable, an item of a JSON list, a field of either. */
  private jsonTypeOf(e: Expr): JsonType | undefined {
    if (!this.jsonRoot) return undefined;
    if (e.kind === "ident") {
      const local = this.local(e.name);
      if (local) return local.json;
      return this.jsonVariables.has(e.name) && this.variables.has(e.name) && this.container === "" ? this.jsonRoot : undefined;
    }
    if (e.kind === "select" && !e.test) {
      const operand = this.jsonTypeOf(e.operand);
      return operand && this.jsonProperty(operand, e.field)?.type;
    }
    return undefined;
  }

  /**
   * The property a field selection reads, where the node converts as an object of declared properties: a
   * declared property other than a resource's metadata (which rules see in part), and under
   * x-kubernetes-preserve-unknown-fields only if its name needs no escaping (a kept unknown field could carry it).
   */
  private jsonProperty(type: JsonType, field: string): JsonProperty | undefined {
    const schema = type.schema;
    if (!convertsAsObject(schema, type.resource)) return undefined;
    const key = Object.keys(schema.properties ?? {}).find((k) => (escapePropertyName(k) ?? k) === field);
    if (key === undefined || key === "__proto__" || (type.resource && key === "metadata")) return undefined;
    if (schema["x-kubernetes-preserve-unknown-fields"] === true && key !== field) return undefined;
    return { key, type: this.jsonChild(type, ["properties", key], schema.properties![key]!) };
  }

  private jsonChild(parent: JsonType, keywords: readonly string[], schema: JSONSchemaProps): JsonType {
    const path = keywords.map((k) => `[${JSON.stringify(k)}]`).join("");
    const node = this.hoist(`node:${parent.node}${path}`, `${parent.node}${path}`, "s");
    return { schema, node, resource: schema["x-kubernetes-embedded-resource"] === true };
  }

  /** The JSON value of an expression jsonTypeOf types. */
  private jsonValue(e: Expr): string {
    if (e.kind === "ident") return this.local(e.name)?.js ?? this.variable(e.name);
    const select = e as Expr & { kind: "select" };
    const operand = this.jsonTypeOf(select.operand)!;
    const property = this.jsonProperty(operand, select.field)!;
    const [o, v] = [this.temp("o"), this.temp("o")];
    this.prologue.push(`let ${o}, ${v};`);
    // A null or absent field is absent for rules: the selection fails, as it does on the converted value.
    const fast = `${jsonObjectTest(o, this.jsonValue(select.operand))} && (${v} = ${ownField(o, property.key)}) != null && typeof ${v} !== "function"`;
    return `(${fast} ? ${v} : ${this.rt("select")}(${this.converted(o, operand)}, ${JSON.stringify(select.field)}))`;
  }

  /** has(x.f) on JSON: whether the converted value would hold the field. */
  private jsonHas(operand: string, type: JsonType, field: string, property: JsonProperty): string {
    const o = this.temp("o");
    this.prologue.push(`let ${o};`);
    // Conversion drops null fields; a value converted as it is keeps them.
    const present = convertsAsIs(type.schema, type.resource) ? "!== undefined" : "!= null";
    return `(${jsonObjectTest(o, operand)} ? ${ownField(o, property.key)} ${present} : ${this.rt("has")}(${this.converted(o, type)}, ${JSON.stringify(field)}))`;
  }

  /** The CEL value of JSON of a node: converted (schema-values.ts), or the JSON itself where that is what rules see. */
  private converted(js: string, type: JsonType): string {
    if (convertsAsIs(type.schema, type.resource)) return js;
    const convert = this.hoist(`convert:${type.node}`, `rt.converter(${type.node}, ${type.resource})`, "c");
    return `${convert}(${js})`;
  }

  private selects(base: string, fields: readonly string[]): string {
    return fields.reduce((js, f) => this.field(js, f, false), base);
  }

  /**
   * `operand.field` (or its presence test). A JSON object's own property is read directly at the site, where
   * the engine can cache the object's shape; inherited members are functions, which CEL values never are.
   * Anything else goes through rt.select / rt.has.
   */
  private field(operand: string, field: string, test: boolean): string {
    const slow = `${this.rt(test ? "has" : "select")}`;
    if (!/^[A-Za-z_$][\w$]*$/.test(field) || field === "__proto__") return `${slow}(${operand}, ${JSON.stringify(field)})`;
    const [o, v] = [this.temp("o"), this.temp("o")];
    this.prologue.push(`let ${o}, ${v};`);
    const json = `(${o} = ${operand}) !== null && typeof ${o} === "object" && ${o}.constructor === Object`;
    const own = `(${v} = ${o}.${field}) !== undefined && typeof ${v} !== "function"`;
    return test ? `(${json} ? ${own} : ${slow}(${o}, "${field}"))` : `(${json} && ${own} ? ${v} : ${slow}(${o}, "${field}"))`;
  }

  // --- calls

  private call(e: Expr & { kind: "call" }, out: string[]): string {
    if (e.target === undefined && INTRINSICS.has(e.fn)) {
      const js = this.intrinsic(e, out);
      return this.metered && !["_&&_", "_||_", "_?_:_"].includes(e.fn) ? this.charged(js, "1") : js;
    }
    if (this.isShortCircuitOptional(e)) return this.metered ? this.charged(this.optionalOr(e, out), "1") : this.optionalOr(e, out);
    const call = this.resolveCall(e);
    if (this.metered) return this.meteredCall(e, call, out);
    const constant = this.constantOf(e);
    if (constant) return this.hoist(`constant:${callKey(call.fn, false, 0)}`, `rt.impls[${JSON.stringify(constant.overload.id)}]()`, "k");
    return this.specialCall(call, out) ?? this.dispatch(e, call, this.operands(call.operands, out));
  }

  /** A call through its dispatcher, then charged what its overload costs for the arguments it got. */
  private meteredCall(e: Expr, call: ResolvedCall, out: string[]): string {
    const operands = this.operands(call.operands, out);
    const args = operands.map(() => this.temp("a"));
    this.prologue.push(...args.map((a) => `let ${a};`));
    const key = callKey(call.fn, call.receiver, call.receiver ? args.length - 1 : args.length);
    const invoke = this.dispatcher(e, call, args);
    const cost = `${this.hoist(`cost:${key}`, `rt.costs[${JSON.stringify(key)}]`, "cost")}(${args.join(", ")})`;
    const assigned = operands.map((x, i) => `${args[i]} = ${x}, `).join("");
    return assigned === "" ? this.charged(invoke, cost) : `(${assigned}${this.charged(invoke, cost)})`;
  }

  /** `ns.fn(x)` where `ns.fn` is a global function (optional.of, sets.contains) rather than a method call. */
  private resolveCall(e: Expr & { kind: "call" }): ResolvedCall {
    const namespace = e.target && this.qualifiedName(e.target);
    if (namespace && !this.variables.has(namespace[0] as string) && this.registry.hasFunction(`${namespace.join(".")}.${e.fn}`)) {
      return { fn: `${namespace.join(".")}.${e.fn}`, receiver: false, operands: e.args };
    }
    return { fn: e.fn, receiver: e.target !== undefined, operands: e.target ? [e.target, ...e.args] : e.args };
  }

  /** A call of a function of no arguments and one overload that succeeds (format.dns1123Label()): its value is evaluated once per binding. */
  private constantOf(e: Expr): { overload: Overload; type: string } | undefined {
    if (e.kind !== "call" || e.args.length > 0 || (e.target === undefined && INTRINSICS.has(e.fn))) return undefined;
    const call = this.resolveCall(e);
    const overloads = call.operands.length === 0 ? this.registry.overloads(call.fn, false, 0) : [];
    if (overloads.length !== 1) return undefined;
    const overload = overloads[0]!;
    try {
      return { overload, type: typeName((overload.impl as () => CelValue)()) };
    } catch {
      return undefined; // fails when called: left to run time
    }
  }

  /**
   * The type name of an expression's value, where the compiler is sure of it (the expression may fail instead):
   * literals, constants, and operators whose result is always a bool.
   */
  private typeOf(e: Expr): string | undefined {
    if (e.kind === "literal") return typeName(e.value as CelValue);
    if (e.kind === "select") return e.test ? "bool" : undefined;
    if (e.kind !== "call") return undefined;
    if (e.target === undefined && BOOL_RESULTS.has(e.fn)) return "bool";
    if (e.target === undefined && e.fn === "_?_:_") {
      const [ifTrue, ifFalse] = [this.typeOf(e.args[1]!), this.typeOf(e.args[2]!)];
      return ifTrue === ifFalse ? ifTrue : undefined;
    }
    return this.constantOf(e)?.type;
  }

  /** Calls compiled to plain JavaScript where the operand types allow: equality with literals, `in` a list of literals, ordering, `!`. */
  private specialCall(call: ResolvedCall, out: string[]): string | undefined {
    if (call.receiver) return undefined;
    const [a, b] = call.operands as [Expr, Expr];
    const simple = (x: Expr) => ["string", "bool", "null_type"].includes(this.typeOf(x) ?? "");
    switch (call.fn) {
      case "!_":
        return this.typeOf(a) === "bool" ? `(!${this.expr(a, out)})` : undefined;
      case "_==_":
      case "_!=_": {
        // Heterogeneous equality holds between a string, bool or null and only an equal one of the same type.
        const [ta, tb] = [this.typeOf(a), this.typeOf(b)];
        if (!simple(a) && !simple(b) && !(ta !== undefined && ta === tb && ["int", "string", "bool"].includes(ta))) return undefined;
        const [x, y] = this.operands([a, b], out);
        return `(${x} ${call.fn === "_==_" ? "===" : "!=="} ${y})`;
      }
      case "@in": {
        if (b.kind !== "list" || b.optional.length > 0 || !b.elements.every((x) => x.kind === "literal" && simple(x))) return undefined;
        const list = this.hoist(`list:${b.id}`, `[${b.elements.map((x) => this.expr(x, out)).join(", ")}]`, "k");
        return `${list}.includes(${this.expr(a, out)})`;
      }
    }
    const operator = ORDERING[call.fn];
    if (!operator || call.operands.length !== 2) return undefined;
    return this.sizeComparison(call, operator, out) ?? this.numberComparison(call, operator, out);
  }

  /** `size(x) < n` (either side) for a string or a list x: the size counted as a number, no int made. */
  private sizeComparison(call: ResolvedCall, operator: string, out: string[]): string | undefined {
    const smallInt = (x: Expr) => x.kind === "literal" && typeof x.value === "bigint" && x.value >= -(2n ** 53n) && x.value <= 2n ** 53n;
    const sizeCall = (x: Expr) => {
      if (x.kind !== "call" || (x.target === undefined && INTRINSICS.has(x.fn))) return undefined;
      const inner = this.resolveCall(x);
      return inner.fn === "size" && inner.operands.length === 1 ? inner : undefined;
    };
    const [a, b] = call.operands as [Expr, Expr];
    const sizeFirst = smallInt(b) && sizeCall(a) !== undefined;
    if (!sizeFirst && !(smallInt(a) && sizeCall(b) !== undefined)) return undefined;
    const [sized, n] = sizeFirst ? [a, b] : [b, a];
    const size = sizeCall(sized)!;
    const count = String((n as { value: bigint }).value);
    const t = this.temp();
    this.prologue.push(`let ${t};`);
    const [x] = this.operands(size.operands, out);
    const compare = (counted: string) => (sizeFirst ? `${counted} ${operator} ${count}` : `${count} ${operator} ${counted}`);
    // A string's size compared through the sign of size - n: (size - n) op 0, or 0 op (size - n).
    const stringSign = `${this.rt("compareStringSize")}(${t}, ${count})`;
    const strings = sizeFirst ? `${stringSign} ${operator} 0` : `0 ${operator} ${stringSign}`;
    const measured = this.dispatcher(sized, size, [t]);
    const generic = this.dispatcher(a, call, sizeFirst ? [measured, `${count}n`] : [`${count}n`, measured]);
    return `((${t} = ${x}), typeof ${t} === "string" ? ${strings} : Array.isArray(${t}) ? ${compare(`${t}.length`)} : ${generic})`;
  }

  /** Two ints or two doubles compare as JavaScript compares them (NaN unordered); anything else is dispatched. */
  private numberComparison(call: ResolvedCall, operator: string, out: string[]): string | undefined {
    const types = call.operands.map((x) => this.typeOf(x));
    const type = types.find((t) => t !== undefined) ?? "int";
    if ((type !== "int" && type !== "double") || types.some((t) => t !== undefined && t !== type)) return undefined;
    const { args, test, prefix } = this.tested(this.operands(call.operands, out), types.map((t) => (t === undefined ? type : undefined)));
    const compared = `${args[0]} ${operator} ${args[1]}`;
    return test === "" ? `(${compared})` : `(${prefix}${test} ? ${compared} : ${this.dispatcher(call.operands[0]!, call, args)})`;
  }

  /**
   * Operands for a call site that tests the types of some (`tested`, by operand): those are captured in
   * temporaries by the assignments of `prefix`, which keep the evaluation order, and `test` tests them.
   */
  private tested(operands: readonly string[], tested: readonly (string | undefined)[]): { args: string[]; test: string; prefix: string } {
    const tests: string[] = [];
    let prefix = "";
    const args = operands.map((x, i) => {
      const type = tested[i];
      if (type === undefined) return x;
      const t = this.temp();
      this.prologue.push(`let ${t};`);
      prefix += `(${t} = ${x}), `;
      tests.push(type === "optional_type" ? `${t} instanceof ${this.rt("Optional")}` : TESTS[type]!(t));
      return t;
    });
    return { args, test: tests.join(" && "), prefix };
  }

  /**
   * A call through its dispatcher, or straight to the overload the dispatcher would pick where the operands'
   * types are known or tested at the site (strings, bools, ints, doubles and optionals), the dispatcher
   * remaining for operands that fail the tests.
   */
  private dispatch(e: Expr, call: ResolvedCall, operands: readonly string[]): string {
    const direct = this.directOverload(call, operands);
    if (!direct) return this.dispatcher(e, call, operands);
    const { id, specialize } = direct.overload;
    const last = call.operands.length === operands.length ? call.operands.at(-1) : undefined;
    if (specialize && last?.kind === "literal") {
      // The constant is prepared once per program (a pattern compiled), the call site passes the rest.
      const literal = operands.at(-1)!;
      const bound = this.hoist(`specialize:${id}:${literal}`, `rt.specialize(${JSON.stringify(id)}, ${literal})`, "b");
      const { args, test, prefix } = this.tested(operands.slice(0, -1), direct.tested.slice(0, -1));
      const invocation = `${bound}(${args.join(", ")})`;
      return test === "" ? invocation : `(${prefix}${test} ? ${invocation} : ${this.dispatcher(e, call, [...args, literal])})`;
    }
    const impl = this.hoist(`impl:${id}`, `rt.impls[${JSON.stringify(id)}]`, "o");
    const { args, test, prefix } = this.tested(operands, direct.tested);
    return test === "" ? `${impl}(${args.join(", ")})` : `(${prefix}${test} ? ${impl}(${args.join(", ")}) : ${this.dispatcher(e, call, args)})`;
  }

  /** A call through the dispatcher of its function. */
  private dispatcher(e: Expr, call: ResolvedCall, operands: readonly string[]): string {
    const { fn, receiver } = call;
    const count = receiver ? operands.length - 1 : operands.length;
    if (this.registry.overloads(fn, receiver, count).length === 0) {
      if (!this.registry.hasFunction(fn)) this.fail(e, `undeclared reference to '${fn}' (in container '${this.container}')`);
      this.fail(e, `found no matching overload for '${fn}' applied to ${count} argument${count === 1 ? "" : "s"}${receiver ? " and a receiver" : ""}`);
    }
    const key = callKey(fn, receiver, count);
    return `${this.hoist(`fn:${key}`, `rt.fn[${JSON.stringify(key)}]`, "f")}(${operands.join(", ")})`;
  }

  /**
   * The overload to call directly: the first one the dispatcher would pick for operands of the types known (of
   * call.operands, when given as expressions) or testable; `tested` gives the type to test of each operand.
   */
  private directOverload(call: ResolvedCall, operands: readonly string[]): { overload: Overload; tested: (string | undefined)[] } | undefined {
    const known = call.operands.length === operands.length ? call.operands.map((x) => this.typeOf(x)) : operands.map(() => undefined);
    const testable = (type: string) => type in TESTS || type === "optional_type";
    for (const overload of this.registry.overloads(call.fn, call.receiver, operands.length - (call.receiver ? 1 : 0))) {
      const params = [...(overload.receiver !== undefined ? [overload.receiver] : []), ...overload.params].map((p) => p.replace(/\(.*$/s, "").trim());
      const types = params.map((p, i) => known[i] ?? (testable(p) ? p : undefined));
      if (types.some((t) => t === undefined)) continue;
      if (this.registry.resolve(call.fn, call.receiver, types as string[]) !== overload) continue;
      return { overload, tested: types.map((t, i) => (known[i] === undefined ? t : undefined)) };
    }
    return undefined;
  }

  private intrinsic(e: Expr & { kind: "call" }, out: string[]): string {
    const [a, b, c] = e.args as [Expr, Expr, Expr];
    switch (e.fn) {
      case "_&&_":
        return this.logical(a, b, false, out);
      case "_||_":
        return this.logical(a, b, true, out);
      case "@not_strictly_false":
        return this.notStrictlyFalse(a, out);
      case "_?_:_":
        return this.conditional(a, b, c, out);
      case "_?._": {
        const [operand] = this.operands([a], out);
        if (b.kind !== "literal" || typeof b.value !== "string") return this.fail(e, "optional field selection needs a field name");
        return `${this.rt("optSelect")}(${operand}, ${JSON.stringify(b.value)})`;
      }
      default: {
        const [operand, key] = this.operands([a, b], out);
        return `${this.rt(e.fn === "_[_]" ? "index" : "optIndex")}(${operand}, ${key})`;
      }
    }
  }

  /** A term evaluated into a variable, holding rt.Failed instead of throwing. */
  private term(e: Expr, out: string[]): string {
    const t = this.temp();
    const local = e.kind === "ident" ? this.local(e.name) : undefined;
    if (local) {
      out.push(`let ${t} = ${local.js};`, ...(this.metered ? [`${this.rt("charge")}(m, 1);`] : []));
      return t;
    }
    const body: string[] = [];
    const js = this.expr(e, body);
    out.push(`let ${t};`, "try {", ...body, `${t} = ${js};`, `} catch (e) { ${t} = new ${this.rt("Failed")}(e); }`);
    return t;
  }

  /** `a && b` (absorbing false) or `a || b` (absorbing true): the right side runs unless the left decides. */
  private logical(a: Expr, b: Expr, absorbing: boolean, out: string[]): string {
    const left = this.term(a, out);
    const inner: string[] = [];
    const right = this.term(b, inner);
    // Two bools of the non-absorbing value are the common case: no call for them.
    const common = `${left} === ${!absorbing} && ${right} === ${!absorbing} ? ${!absorbing}`;
    out.push(`if (${left} !== ${absorbing}) {`, ...inner, `${left} = ${common} : ${this.rt(absorbing ? "or" : "and")}(${left}, ${right});`, "}");
    return left;
  }

  private notStrictlyFalse(a: Expr, out: string[]): string {
    const t = this.term(a, out);
    return `(${t} !== false)`;
  }

  private conditional(condition: Expr, ifTrue: Expr, ifFalse: Expr, out: string[]): string {
    const c = this.expr(condition, out);
    const whenTrue: string[] = [];
    const whenFalse: string[] = [];
    const t = this.expr(ifTrue, whenTrue);
    const f = this.expr(ifFalse, whenFalse);
    const test = this.typeOf(condition) === "bool" ? c : `${this.rt("condition")}(${c})`;
    if (whenTrue.length === 0 && whenFalse.length === 0) return `(${test} ? ${t} : ${f})`;
    const result = this.temp();
    out.push(`let ${result};`, `if (${test}) {`, ...whenTrue, `${result} = ${t};`, "} else {", ...whenFalse, `${result} = ${f};`, "}");
    return result;
  }

  /** `opt.or(x)` and `opt.orValue(x)` evaluate x only when opt is empty (cel-go's optional library decorator). */
  private isShortCircuitOptional(e: Expr): boolean {
    return (
      e.kind === "call" && e.target !== undefined && e.args.length === 1 && (e.fn === "or" || e.fn === "orValue") &&
      this.registry.overloads(e.fn, true, 1).length > 0
    );
  }

  private optionalOr(e: Expr & { kind: "call" }, out: string[]): string {
    const t = this.temp();
    out.push(`let ${t} = ${this.expr(e.target as Expr, out)};`);
    const fallback: string[] = [];
    const call = this.dispatch(e, { fn: e.fn, receiver: true, operands: [] }, [t, this.expr(e.args[0] as Expr, fallback)]);
    const present = e.fn === "or" ? t : `${t}.value`;
    out.push(`if (${t} instanceof ${this.rt("Optional")} && ${t}.hasValue) ${t} = ${present};`, "else {", ...fallback, `${t} = ${call};`, "}");
    return t;
  }

  // --- comprehensions

  private comprehension(e: Comprehension, out: string[]): string {
    const listType = e.iterVar2 === undefined ? this.jsonTypeOf(e.iterRange) : undefined;
    const accu = this.temp("a");
    const bindsOnly = e.iterRange.kind === "list" && e.iterRange.elements.length === 0;
    if (listType && convertsAsList(listType.schema)) {
      // A JSON list is iterated as it is, each item converted only where used; anything else there (a value that
      // does not fit its schema) as its conversion is.
      const list = this.temp("j");
      out.push(`const ${list} = ${this.jsonValue(e.iterRange)};`);
      const [init] = this.operands([e.accuInit], out);
      out.push(`let ${accu} = ${init};`, `if (Array.isArray(${list})) {`);
      this.loop(e, list, accu, out, this.jsonChild(listType, ["items"], listType.schema.items!));
      out.push("} else {");
      this.loop(e, `${this.rt("range")}(${this.converted(list, listType)})`, accu, out);
      out.push("}");
    } else {
      const [range, init] = this.operands([e.iterRange, e.accuInit], out);
      out.push(`let ${accu} = ${init};`);
      if (!bindsOnly) this.loop(e, e.iterVar2 === undefined ? `${this.rt("range")}(${range})` : range as string, accu, out);
    }
    this.scopes.push(new Map([[e.accuVar, { js: accu, accumulator: !bindsOnly }]]));
    const result = this.expr(e.result, out);
    this.scopes.pop();
    return result;
  }

  /**
   * The fold over `source`: for one iteration variable the list of what it takes (list items, map keys), as
   * JSON of `items` when given; for two, the value they range over.
   */
  private loop(e: Comprehension, source: string, accu: string, out: string[], items?: JsonType): void {
    const r = this.temp("r");
    const i = this.temp("i");
    const scope = new Map<string, Local>([[e.accuVar, { js: accu, accumulator: true }]]);
    const body: string[] = [];
    if (e.iterVar2 === undefined) {
      out.push(`const ${r} = ${source};`, `for (let ${i} = 0; ${i} < ${r}.length; ${i}++) {`);
      const x = this.temp("x");
      body.push(`const ${x} = ${r}[${i}];`);
      scope.set(e.iterVar, { js: x, accumulator: false, ...(items && { json: items }) });
    } else {
      out.push(`const ${r} = ${this.rt("pairs")}(${source});`, `for (let ${i} = 0; ${i} < ${r}.values.length; ${i}++) {`);
      const [k, v] = [this.temp("x"), this.temp("x")];
      body.push(`const ${k} = ${r}.keys === undefined ? BigInt(${i}) : ${r}.keys[${i}];`, `const ${v} = ${r}.values[${i}];`);
      scope.set(e.iterVar, { js: k, accumulator: false });
      scope.set(e.iterVar2, { js: v, accumulator: false });
    }
    this.scopes.push(scope);
    this.loopCondition(e.loopCondition, body);
    const step: string[] = [];
    const append = this.metered ? undefined : listAppend(e); // metered: as written, each step's `accu + [x]` charged
    if (append) {
      // Appending to the fresh list in place rather than building `accu + [x]` anew each step (quadratic).
      // Once the accumulator has failed, `accu + [x]` would fail with its error without evaluating x.
      const element: string[] = [];
      const x = this.expr(append.element, element);
      const push = [`if (!(${accu} instanceof ${this.rt("Failed")})) {`, ...element, `${accu}.push(${x});`, "}"];
      if (append.filter) {
        const filter = this.expr(append.filter, step);
        step.push(`if (${this.typeOf(append.filter) === "bool" ? filter : `${this.rt("condition")}(${filter})`}) {`, ...push, "}");
      } else {
        step.push(...push);
      }
      body.push("try {", ...step, `} catch (e) { ${accu} = new ${this.rt("Failed")}(e); }`);
    } else {
      const next = this.expr(e.loopStep, step);
      body.push("try {", ...step, `${accu} = ${next};`, `} catch (e) { ${accu} = new ${this.rt("Failed")}(e); }`);
    }
    this.scopes.pop();
    out.push(...body, "}");
  }

  /** cel-go stops folding when the condition is false; an error does not stop it. */
  private loopCondition(condition: Expr, body: string[]): void {
    if (condition.kind === "literal" && condition.value === true) return;
    const c = condition.kind === "call" && condition.fn === "@not_strictly_false" ? this.expr(condition, body) : this.term(condition, body);
    body.push(`if (${c} === false) break;`);
  }
}

/**
 * The step of a fold into a list (map, filter, transformList): `accu + [x]`, or `filter ? accu + [x] : accu`,
 * starting from `[]`, with the accumulator used nowhere else.
 */
function listAppend(e: Comprehension): { element: Expr; filter?: Expr } | undefined {
  const accu = (x: Expr | undefined) => x?.kind === "ident" && x.name === e.accuVar;
  const appended = (x: Expr | undefined) =>
    x?.kind === "call" && x.fn === "_+_" && x.target === undefined && accu(x.args[0]) && x.args[1]?.kind === "list" &&
    x.args[1].elements.length === 1 && x.args[1].optional.length === 0 && !mentions(x.args[1], e.accuVar)
      ? (x.args[1].elements[0] as Expr)
      : undefined;
  const init = e.accuInit;
  if (init.kind !== "list" || init.elements.length > 0 || mentions(e.loopCondition, e.accuVar)) return undefined;
  const element = appended(e.loopStep);
  if (element) return { element };
  const step = e.loopStep;
  if (step.kind !== "call" || step.fn !== "_?_:_" || step.target !== undefined || !accu(step.args[2])) return undefined;
  const guarded = appended(step.args[1]);
  const filter = step.args[0] as Expr;
  return guarded && !mentions(filter, e.accuVar) ? { element: guarded, filter } : undefined;
}

/** Whether an identifier of this name occurs anywhere in the expression (shadowing ignored: a safe over-approximation). */
function mentions(e: Expr, name: string): boolean {
  switch (e.kind) {
    case "literal":
      return false;
    case "ident":
      return e.name === name;
    case "select":
      return mentions(e.operand, name);
    case "call":
      return (e.target !== undefined && mentions(e.target, name)) || e.args.some((a) => mentions(a, name));
    case "list":
      return e.elements.some((x) => mentions(x, name));
    case "map":
      return e.entries.some((x) => mentions(x.key, name) || mentions(x.value, name));
    case "struct":
      return e.fields.some((f) => mentions(f.value, name));
    case "comprehension":
      return [e.iterRange, e.accuInit, e.loopCondition, e.loopStep, e.result].some((x) => mentions(x, name));
  }
}

/** Assigns `value` to the name `o` and tests that it is a JSON object (not null, not a list). */
function jsonObjectTest(o: string, value: string): string {
  return `(${o} = ${value}) !== null && typeof ${o} === "object" && !Array.isArray(${o})`;
}

/** The own property `key` of the object named `o`; a name objects inherit (toString) is read only when own. */
function ownField(o: string, key: string): string {
  const access = /^[A-Za-z_$][\w$]*$/.test(key) ? `${o}.${key}` : `${o}[${JSON.stringify(key)}]`;
  return key in Object.prototype ? `(Object.hasOwn(${o}, ${JSON.stringify(key)}) ? ${access} : undefined)` : access;
}

function literal(value: Extract<Expr, { kind: "literal" }>["value"]): string {
  if (value === null || typeof value === "boolean") return String(value);
  if (typeof value === "bigint") return value < 0n ? `(${value}n)` : `${value}n`;
  if (value instanceof CelUint) return `new rt.CelUint(${value.value}n)`;
  if (typeof value === "number") return Object.is(value, -0) ? "(-0)" : value < 0 ? `(${value})` : String(value);
  if (typeof value === "string") return JSON.stringify(value);
  return `rt.bytes(${JSON.stringify(btoa(String.fromCharCode(...value)))})`;
}
