// A kind's validation walks as JavaScript made from its schema, as ajv makes the structural checks: decoding
// (decode.ts: pruning, dropping nulls, defaulting), list-type uniqueness (list-types.ts) and the CEL rules
// (cel.ts), each as one function per schema node that knows its node — the properties it declares and their
// defaults, the lists below it, the rules on it — so a walk looks nothing up and goes only where there is something
// to do. Rules run as programs over the decoded JSON (api/cel/compile.ts compileJsonProgram), which convert only
// what they read. The generator emits the code into a kind's validators/standalone.js; compileKindCode makes it at
// run time. The results are those of the generic walks, which every CRD given at run time goes through; a value
// its node does not describe (a list where an object goes: an invalid object) is left to the generic decoder.
import type { JSONSchemaProps } from "../apiextensions.ts";
import { checkRule } from "../cel/checker.ts";
import { childCardinality, multiplyCost } from "../cel/cost.ts";
import { compileJsonProgram } from "../cel/compile.ts";
import { libraries, registry, rt } from "../cel/environment.ts";
import { PER_CALL_LIMIT } from "../cel/runtime.ts";
import { parse } from "../cel/parser.ts";
import { escapePropertyName } from "../cel/schema-types.ts";
import { convertsAsIs, convertsAsList, convertsAsObject } from "../cel/schema-values.ts";
import { RUNTIME_COST_BUDGET, ruleSites, ruleTree, type CelRuleEntry, type CelRuleSite, type RuleNode } from "./cel.ts";
import { compileRules } from "./compile-rules.ts";
import { kindHelpers, type KindCode, type PathTemplate } from "./kind-runtime.ts";
import { hasUniqueLists } from "./list-types.ts";
import { mapValues } from "./schema.ts";
import { schemaNode } from "./structural.ts";

/**
 * A kind's walks as the source of `(h, rt, schema, rules, metered) => KindCode`, to be called with kindHelpers, the
 * runtime of api/cel/environment.ts, the kind's schema (or an equal one), its rules as ruleSites lists them and,
 * where `metered` is true, a function returning its rules table with metered programs (compileRules with meter).
 */
export interface KindCodeSource {
  source: string;
  /**
   * The kind's rules could reach kube-apiserver's runtime cost limits (an object's budget, a call's limit), by
   * their estimated costs: the walk adds up each evaluation's estimate as it goes, and where the sum passes the
   * budget runs the rules again, metered, as the generic walks do; else it counts nothing.
   */
  metered: boolean;
}

/** The kind's walks; undefined for the rare schema whose rules they cannot hand what the generic walks do (see Generator.step). */
export function kindCodeSource(schema: JSONSchemaProps): KindCodeSource | undefined {
  try {
    return new Generator(schema).emit();
  } catch (error) {
    if (error instanceof NotGenerated) return undefined;
    throw error;
  }
}

type KindCodeFactory = (h: typeof kindHelpers, runtime: typeof rt, s: JSONSchemaProps, r: CelRuleSite[], metered: () => CelRuleEntry[]) => KindCode;

/** A kind's walks made now, for a schema the generator has not seen (undefined where kindCodeSource is). */
export function compileKindCode(schema: JSONSchemaProps): KindCode | undefined {
  const made = kindCodeSource(schema);
  if (made === undefined) return undefined;
  let metered: CelRuleEntry[] | undefined;
  const factory = new Function(`return ${made.source}`)() as KindCodeFactory;
  return factory(kindHelpers, rt, schema, ruleSites(schema), () => (metered ??= compileRules(schema, { meter: true })));
}

/** A schema the generated walks do not handle: the kind keeps the generic ones. */
class NotGenerated extends Error {}

/** Where a generated function works: its node, how the code reaches the node's schema, and its path. */
interface Location {
  schema: JSONSchemaProps;
  /** Schema keywords from the root to the node. */
  keywords: readonly string[];
  template: PathTemplate;
}

/** Where decoding works: also whether the node is a resource's root, and whether unknown fields are kept there. */
interface DecodeLocation extends Location {
  resource: boolean;
  keep: boolean;
}

const RESOURCE_FIELDS = ["apiVersion", "kind", "metadata"];

class Generator {
  private readonly schema: JSONSchemaProps;
  /** Per kind: schema nodes, path templates, defaults, rule programs and entries. */
  private readonly constants: string[] = [];
  private readonly functions: string[] = [];
  private readonly hoisted = new Map<string, string>();
  private counter = 0;
  private readonly sites: readonly CelRuleSite[];
  /** The root's decoder coerces the object's metadata to ObjectMeta as it copies it. */
  private metadataDecoded = false;

  /** Per rule, the most one evaluation can cost (evaluationBound), where the kind's rules are metered. */
  private readonly bounds: Map<CelRuleSite, number> | undefined;

  constructor(schema: JSONSchemaProps) {
    this.schema = schema;
    this.sites = ruleSites(schema);
    const bounds = new Map(this.sites.map((site) => [site, evaluationBound(schema, site)]));
    const total = this.sites.reduce((sum, site) => sum + timesRun(schema, site.path, bounds.get(site)!), 0);
    this.bounds = total > RUNTIME_COST_BUDGET ? bounds : undefined;
  }

  emit(): KindCodeSource {
    const root = { schema: this.schema, keywords: [], template: [] };
    const decode = this.decoder({ ...root, resource: true, keep: this.schema["x-kubernetes-preserve-unknown-fields"] === true });
    const lists = this.lister(root);
    const tree = ruleTree(this.schema, this.sites);
    const rules = tree && this.ruleWalker(tree, root, false);
    const run = !rules ? "" : this.bounds === undefined
      ? ` ${rules}(object, old, [], new h.RuleRun(schema, object, old, report));`
      : [
        " const mark = h.mark(report);",
        " const run = new h.RuleRun(schema, object, old, report);",
        ` if (${rules}(object, old, [], run) && run.bound > h.RUNTIME_COST_BUDGET) h.runMetered(metered(), schema, object, old, report, mark);`,
      ].join("");
    const source = [
      "(h, rt, schema, rules, metered) => {",
      ...this.constants,
      ...this.functions,
      "return {",
      `decode: (input, unknown) => ${this.metadataDecoded ? `${decode}(input, [], unknown)` : `h.decodeRootMetadata(${decode}(input, [], unknown), unknown)`},`,
      `listTypes: (object) => {${lists ? ` const errors = []; ${lists}(object, [], errors); return errors;` : " return [];"} },`,
      `hasRules: ${this.sites.length > 0},`,
      `rules: (object, old, report) => {${run} },`,
      "};",
      "}",
    ].join("\n");
    return { source, metered: this.bounds !== undefined };
  }

  private name(prefix: string): string {
    return `${prefix}${++this.counter}`;
  }

  /** A constant of the kind's code, made once. */
  private hoist(key: string, init: string, prefix: string): string {
    let name = this.hoisted.get(key);
    if (!name) {
      name = this.name(prefix);
      this.hoisted.set(key, name);
      this.constants.push(`const ${name} = ${init};`);
    }
    return name;
  }

  /** The schema node at `keywords`, read from the schema the code is given. */
  private node(keywords: readonly string[]): string {
    if (keywords.length === 0) return "schema";
    return this.hoist(`node:${JSON.stringify(keywords)}`, `${this.node(keywords.slice(0, -1))}[${JSON.stringify(keywords.at(-1))}]`, "S");
  }

  private template(template: PathTemplate): string {
    return this.hoist(`template:${JSON.stringify(template)}`, JSON.stringify(template), "T");
  }

  // --- decoding (decode.ts Decoder.value, one node at a time)

  /**
   * The function decoding a value at `at` (not null): `(v, at, unknown) => decoded`, `at` holding the path's
   * indexes and keys. Decoding copies on write: a value nothing is pruned from or defaulted in is returned as it
   * is; one that changes is copied once, from the first change on, sharing its unchanged children.
   */
  private decoder(at: DecodeLocation): string {
    const name = this.name("decode");
    const { schema } = at;
    const body = ['if (typeof v !== "object" || v === null) return v;'];
    if (schema.items) body.push("if (Array.isArray(v)) {", ...this.decodeItems(at, schema.items), "}");
    else body.push(`if (Array.isArray(v)) return ${this.decodeGenerically(at, "v")};`);
    body.push(...this.decodeObject(at), "return out === undefined ? v : out;");
    this.functions.push(`function ${name}(v, at, unknown) {`, ...body, "}");
    return name;
  }

  /** decode.ts's own walk of `v` at `at`: for what the node does not describe. */
  private decodeGenerically(at: DecodeLocation, v: string): string {
    return `h.decodeAt(${v}, ${this.node(at.keywords)}, ${at.resource}, ${at.keep}, h.fieldPath(${this.template(at.template)}, at), unknown)`;
  }

  private decodeItems(at: DecodeLocation, items: JSONSchemaProps): string[] {
    const item = this.child(at, ["items"], items, null, at.keep || preserves(items));
    const slot: Slot = { assign: (value) => `out[i] = ${value}`, copy: "out = v.slice(0, i);" };
    // A null item stays (kube prunes nulls of fields only), unless its schema defaults it.
    const nullItem = !items.nullable && items.default !== undefined ? changed(slot, this.defaultValue(item)) : kept(slot);
    return [
      "const n = v.length;",
      "let out;",
      "for (let i = 0; i < n; i++) {",
      "const x = v[i];",
      `if (x === null) { ${nullItem} }`,
      ...this.decodeChild(item, slot, "i", true),
      "}",
      "return out === undefined ? v : out;",
    ];
  }

  /**
   * Statements decoding `x` (not null) at `at` into `slot`; `step` is the index or key the child adds to the
   * dynamic path, if any. Values of a scalar node are scalars unless the object is invalid: they pass as they are.
   */
  private decodeChild(at: DecodeLocation, slot: Slot, step: string | undefined, elseBranch = false): string[] {
    const [push, pop] = step ? [`at.push(${step}); `, " at.pop();"] : ["", ""];
    const otherwise = elseBranch ? "else " : "";
    if (isScalarNode(at)) {
      return [`${otherwise}if (typeof x !== "object") { ${kept(slot)} }`, `else { ${push}const d = ${this.decodeGenerically(at, "x")};${pop} ${stored(slot)} }`];
    }
    return [`${otherwise}{ ${push}const d = ${this.decoder(at)}(x, at, unknown);${pop} ${stored(slot)} }`];
  }

  private decodeObject(at: DecodeLocation): string[] {
    const { schema } = at;
    const properties = schema.properties ?? {};
    const values = mapValues(schema);
    const cases: string[] = [];
    const field = (key: string, child: JSONSchemaProps | undefined, decoded: string[]) => {
      cases.push(`case ${JSON.stringify(key)}:`, "if (x === null) {", this.nullField(at, key, child), "} else {", ...decoded, "}", "break;");
    };
    if (at.resource) {
      // A resource's apiVersion, kind and metadata are not pruned. The object's own metadata is then coerced to
      // ObjectMeta: here, unless the schema defaults it (which kube does not allow).
      for (const key of RESOURCE_FIELDS) {
        const child = properties[key] ?? values;
        const slot = fieldSlot(key);
        if (key === "metadata" && at.keywords.length === 0 && child?.default === undefined) {
          cases.push(
            'case "metadata": {',
            "const meta = x === null ? undefined : h.decodeMetadata(x, unknown);",
            `if (meta === x) { ${kept(slot)} } else if (meta === undefined) { ${dropped(slot)} } else { ${changed(slot, "meta")} }`,
            "break;",
            "}",
          );
          this.metadataDecoded = true;
        } else {
          field(key, child, [kept(slot)]);
        }
      }
    }
    for (const [key, child] of Object.entries(properties)) {
      if (at.resource && RESOURCE_FIELDS.includes(key)) continue;
      const location = this.child(at, ["properties", key], child, key, preserves(child));
      field(key, child, this.decodeChild(location, fieldSlot(key), undefined));
    }
    let other: string[];
    if (values) {
      const location = this.child(at, ["additionalProperties"], values, null, preserves(values));
      other = ["if (x === null) {", this.nullField(at, undefined, values), "} else {", ...this.decodeChild(location, ENTRY, "key"), "}"];
    } else if (at.keep || schema.additionalProperties === true) {
      other = [kept(ENTRY)];
    } else {
      other = [`unknown.push(h.fieldPath(${this.template(at.template)}, at, key));`, dropped(ENTRY)];
    }
    const loop = cases.length === 0 ? other : ["switch (key) {", ...cases, "default:", ...other, "}"];
    const defaults = Object.entries(properties).filter(([, child]) => child.default !== undefined).map(([key, child]) => {
      const location = this.child(at, ["properties", key], child, key, preserves(child));
      const slot: Slot = { assign: fieldSlot(key).assign, copy: "out = h.copyUpTo(v);" };
      return `if (!Object.hasOwn(out === undefined ? v : out, ${JSON.stringify(key)})) { ${changed(slot, this.defaultValue(location))} }`;
    });
    return ["let out;", "for (const key in v) {", "const x = v[key];", ...loop, "}", ...defaults];
  }

  /** A null field: defaulted when not nullable, kept when nullable or defaulted, else dropped; `key` undefined for map entries. */
  private nullField(at: DecodeLocation, key: string | undefined, child: JSONSchemaProps | undefined): string {
    const slot = key === undefined ? ENTRY : fieldSlot(key);
    if (child && child.default !== undefined && !child.nullable) {
      const keywords = key === undefined || !at.schema.properties?.[key] ? ["additionalProperties"] : ["properties", key];
      return changed(slot, this.defaultValue(this.child(at, keywords, child, key ?? null, preserves(child))));
    }
    return !child || child.nullable || child.default !== undefined ? kept(slot) : dropped(slot);
  }

  private child(at: DecodeLocation, keywords: readonly string[], schema: JSONSchemaProps, step: string | null, keep: boolean): DecodeLocation {
    return { schema, keywords: [...at.keywords, ...keywords], template: [...at.template, step], resource: schema["x-kubernetes-embedded-resource"] === true, keep };
  }

  /** A fresh copy of the node's default as decoding applies it: scalars as literals, others copied from the decoded default. */
  private defaultValue(at: DecodeLocation): string {
    const value = at.schema.default;
    if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
    if (value === null || typeof value !== "object") return JSON.stringify(value);
    return `h.copy(${this.hoist(`default:${JSON.stringify(at.keywords)}`, `h.decodedDefault(${this.node(at.keywords)})`, "D")})`;
  }

  // --- list types (list-types.ts visit)

  /** The function checking the set and map lists at and below `at`, if there are any: `(v, at, errors) => void`. */
  private lister(at: Location): string | undefined {
    const { schema } = at;
    if (!hasUniqueLists(schema)) return undefined;
    const name = this.name("lists");
    const body: string[] = ["if (Array.isArray(v)) {"];
    const listType = schema["x-kubernetes-list-type"];
    if (listType === "set" || listType === "map") body.push(`h.listErrors(v, ${this.node(at.keywords)}, errors, () => h.segments(${this.template(at.template)}, at));`);
    const items = schema.items && this.lister(this.located(at, ["items"], schema.items, null));
    if (items) body.push(`for (let i = 0; i < v.length; i++) { at.push(i); ${items}(v[i], at, errors); at.pop(); }`);
    body.push('} else if (v !== null && typeof v === "object") {');
    const values = mapValues(schema);
    if (values) {
      const check = this.lister(this.located(at, ["additionalProperties"], values, null));
      if (check) body.push(`for (const key in v) { at.push(key); ${check}(v[key], at, errors); at.pop(); }`);
    } else {
      for (const [key, child] of Object.entries(schema.properties ?? {})) {
        const check = this.lister(this.located(at, ["properties", key], child, key));
        if (check) body.push(`if (Object.hasOwn(v, ${JSON.stringify(key)})) ${check}(v[${JSON.stringify(key)}], at, errors);`);
      }
    }
    body.push("}");
    this.functions.push(`function ${name}(v, at, errors) {`, ...body, "}");
    return name;
  }

  private located(at: Location, keywords: readonly string[], schema: JSONSchemaProps, step: string | null): Location {
    return { schema, keywords: [...at.keywords, ...keywords], template: [...at.template, step] };
  }

  // --- CEL rules (cel.ts visit and evaluateRules)

  /**
   * The function evaluating the rules at and below `node` (its value not null) over the value and the correlated
   * old value: `(v, ov, at, run) => stopped`. `above`: a rule above the node has run, so that cel.ts hands the
   * node the CEL value it converted there, which the programs here must see alike.
   */
  private ruleWalker(node: RuleNode, at: Location, above: boolean): string {
    const name = this.name("rules");
    this.functions.push(`function ${name}(v, ov, at, run) {`, ...this.ruleBody(node, at, above, "v", "ov"), "return false;", "}");
    return name;
  }

  /**
   * Statements evaluating the rules at and below `node` over the value `v` (a name, its value not null) and the
   * correlated old value `ov` (undefined when none), returning true where evaluation stops. The rules of a child
   * without children are evaluated in place (whole subtrees in place make functions too large to run fast).
   */
  private ruleBody(node: RuleNode, at: Location, above: boolean, v: string, ov: string): string[] {
    const seen = above || node.entries.length > 0;
    const oldNeeded = readsOld(node);
    const local = (prefix: string) => `${prefix}${++this.counter}`;
    const hasOld = local("hasOld");
    const body: string[] = [];
    if (oldNeeded) body.push(`const ${hasOld} = ${ov} !== undefined && ${ov} !== null;`);
    let optionalOld: string | undefined;
    if (node.entries.some(({ entry }) => entry.rule.optionalOldSelf && this.program(node, at, entry.rule.rule, entry).reads.has("oldSelf"))) {
      const convert = this.hoist(`convert:${JSON.stringify(at.keywords)}`, `rt.converter(${this.node(at.keywords)}, ${node.resourceRoot})`, "C");
      optionalOld = local("optionalOld");
      body.push(`const ${optionalOld} = ${hasOld} ? h.Optional.of(${convert}(${ov})) : h.Optional.none;`);
    }
    for (const { entry, fieldPath } of node.entries) body.push(...this.evaluation(node, at, entry, fieldPath, { v, ov, hasOld, optionalOld }));
    if (node.items) {
      const items = this.ruleWalker(node.items, this.located(at, ["items"], node.items.schema, null), this.step(node, seen, "items"));
      const correlated = oldNeeded && readsOld(node.items) && node.schema["x-kubernetes-list-type"] === "map";
      const [i, x, stop] = [local("i"), local("x"), local("stop")];
      body.push(
        `if (Array.isArray(${v})) {`,
        `for (let ${i} = 0; ${i} < ${v}.length; ${i}++) {`,
        `const ${x} = ${v}[${i}];`,
        `if (${x} === null || ${x} === undefined) continue;`,
        `at.push(${i});`,
        `const ${stop} = ${items}(${x}, ${correlated ? `${hasOld} ? h.correlatedItem(${this.node(at.keywords)}, ${ov}, ${i}, ${x}) : undefined` : "undefined"}, at, run);`,
        "at.pop();",
        `if (${stop}) return true;`,
        "}",
        "}",
      );
    }
    const children = node.additionalProperties ? [node.additionalProperties] : node.children;
    if (children.length === 0) return body;
    const oo = local("oo");
    body.push(`${node.items ? "else " : ""}if (${v} !== null && typeof ${v} === "object" && !Array.isArray(${v})) {`);
    if (children.some(readsOld)) body.push(`const ${oo} = ${hasOld} && ${ov} !== null && typeof ${ov} === "object" && !Array.isArray(${ov}) ? ${ov} : undefined;`);
    if (node.additionalProperties) {
      const values = this.ruleWalker(node.additionalProperties, this.located(at, ["additionalProperties"], node.additionalProperties.schema, null), this.step(node, seen, "values"));
      const [key, x, stop] = [local("key"), local("x"), local("stop")];
      body.push(
        `for (const ${key} in ${v}) {`,
        `const ${x} = ${v}[${key}];`,
        `if (${x} === null || ${x} === undefined) continue;`,
        `at.push(${key});`,
        `const ${stop} = ${values}(${x}, ${readsOld(node.additionalProperties) ? `${oo} === undefined ? undefined : h.own(${oo}, ${key})` : "undefined"}, at, run);`,
        "at.pop();",
        `if (${stop}) return true;`,
        "}",
      );
    } else {
      for (const child of node.children) {
        const location = this.located(at, ["properties", child.name], child.schema, child.name);
        const above = this.step(node, seen, child.name);
        const key = JSON.stringify(child.name);
        const [x, ox] = [local("x"), local("ox")];
        const read = child.name in Object.prototype ? `h.own(${v}, ${key})` : `${v}[${key}]`;
        const old = readsOld(child) ? `${oo} === undefined ? undefined : h.own(${oo}, ${key})` : "undefined";
        const present = `${x} !== undefined && ${x} !== null && typeof ${x} !== "function"`;
        if (child.children.length === 0 && !child.items && !child.additionalProperties) {
          body.push(`{ const ${x} = ${read}; if (${present}) {`, `const ${ox} = ${old};`, ...this.ruleBody(child, location, above, x, ox), "} }");
        } else {
          body.push(`{ const ${x} = ${read}; if (${present} && ${this.ruleWalker(child, location, above)}(${x}, ${old}, at, run)) return true; }`);
        }
      }
    }
    body.push("}");
    return body;
  }

  /**
   * Checks that a child node sees what cel.ts would hand it: where a rule above has converted the value, the
   * child's part of that conversion, which is the conversion of the child's JSON wherever the parent converts
   * as an object, map or list of its declared nodes (not a resource's metadata, which rules see in part, nor a
   * field with an escaped name where unknown fields are kept, one of which could carry that name). Returns
   * whether a rule has run at or above the child.
   */
  private step(node: RuleNode, seen: boolean, child: string): boolean {
    if (!seen || convertsAsIs(node.schema, node.resourceRoot)) return seen;
    const schema = node.schema;
    const agrees =
      child === "items" ? convertsAsList(schema)
      : child === "values" ? !node.resourceRoot && !schema.properties && !schema["x-kubernetes-int-or-string"] && schema.type === "object"
      : convertsAsObject(schema, node.resourceRoot) && !(node.resourceRoot && child === "metadata") &&
        !(schema["x-kubernetes-preserve-unknown-fields"] === true && escapePropertyName(child) !== child);
    if (!agrees) throw new NotGenerated(`rules below ${JSON.stringify(child)} of a node with rules see a value converted differently than generated code would`);
    return seen;
  }

  /** Statements evaluating one rule at `node` over the values named in `names`, reporting a result other than true. */
  private evaluation(node: RuleNode, at: Location, site: CelRuleSite, fieldPath: unknown, names: { v: string; ov: string; hasOld: string; optionalOld?: string }): string[] {
    const program = this.program(node, at, site.rule.rule, site);
    const usesOldSelf = program.reads.has("oldSelf");
    const message = site.rule.messageExpression === undefined ? undefined : this.program(node, at, site.rule.messageExpression, site);
    const index = this.sites.indexOf(site);
    const entry = this.hoist(`entry:${index}`, `h.entry(rules[${index}], ${usesOldSelf}, ${JSON.stringify(fieldPath)}, ${JSON.stringify(node.schema.type ?? "")}${message ? `, ${message.name}` : ""})`, "R");
    const { v } = names;
    const old = !usesOldSelf ? "undefined" : site.rule.optionalOldSelf ? names.optionalOld! : names.ov;
    const bound = this.bounds?.get(site);
    // A rule on a string that does not read oldSelf remembers the strings it passed (remembered.ts).
    const memo = node.schema.type === "string" && !usesOldSelf ? this.hoist(`memo:${index}`, "new h.Memory()", "M") : undefined;
    const evaluate = [
      "{",
      // Metered kinds: past the budget by the estimates, the walk stops to run the rules again metered.
      ...(bound === undefined ? [] : [`if ((run.bound += ${bound}) > h.RUNTIME_COST_BUDGET) return true;`]),
      ...(memo ? [`if (!${memo}.has(${v})) {`] : []),
      "let r;",
      `try { r = ${program.name}(${v}${usesOldSelf ? `, ${old}` : ""}); } catch (e) { r = new h.Thrown(e); }`,
      ...(memo ? [`if (r === true) ${memo}.add(${v});`] : []),
      `${memo ? "else " : ""}if (r !== true && h.settle(run, ${entry}, r, ${v}, ${old}, ${this.template(at.template)}, at)) return true;`,
      ...(memo ? ["}"] : []),
      "}",
    ];
    // Transition rules need an old value.
    return usesOldSelf && !site.rule.optionalOldSelf ? [`if (${names.hasOld})`, ...evaluate] : evaluate;
  }

  /**
   * The program of `expression` (a rule or messageExpression) over the JSON at `node`, bound to the node: one
   * program per expression and node shape, bound once per node.
   */
  private program(node: RuleNode, at: Location, expression: string, site: CelRuleSite): { name: string; reads: ReadonlySet<string> } {
    const names = site.rule.optionalOldSelf ? ["self"] : ["self", "oldSelf"];
    const shape = JSON.stringify([expression, names, node.resourceRoot, node.schema]);
    let compiled = this.compiled.get(shape);
    if (!compiled) {
      const json = { schema: node.schema, resourceRoot: node.resourceRoot, names };
      let program;
      try {
        program = compileJsonProgram(parse(expression), registry, { variables: ["self", "oldSelf"], json });
      } catch (error) {
        throw new Error(`${["openAPIV3Schema", ...at.keywords].join(".")}: cannot compile CEL expression ${JSON.stringify(expression)}: ${(error as Error).message}`);
      }
      compiled = { factory: this.hoist(`program:${shape}`, `(${program.source})`, "P"), reads: program.reads };
      this.compiled.set(shape, compiled);
    }
    const name = this.hoist(`bound:${shape}:${JSON.stringify(at.keywords)}`, `${compiled.factory}(rt, ${this.node(at.keywords)})`, "J");
    return { name, reads: compiled.reads };
  }

  private readonly compiled = new Map<string, { factory: string; reads: ReadonlySet<string> }>();
}

/** `out.key = value`, where a "__proto__" key is data, not the object's prototype. */
/**
 * Where a decoder puts a child of the value `v` it decodes (the child being `x`), copying on write: the copy `out`
 * is undefined until the first change, when `copy` starts it with what comes before the child.
 */
interface Slot {
  assign: (value: string) => string;
  copy: string;
}

/** The slot of a declared field. */
function fieldSlot(key: string): Slot {
  const assign = (value: string) =>
    key === "__proto__" ? `h.set(out, "__proto__", ${value})`
      : /^[A-Za-z_$][\w$]*$/.test(key) ? `out.${key} = ${value}` : `out[${JSON.stringify(key)}] = ${value}`;
  return { assign, copy: `out = h.copyUpTo(v, ${JSON.stringify(key)});` };
}

/** The slot of a map entry, under its `key`. */
const ENTRY: Slot = { assign: (value) => `h.set(out, key, ${value})`, copy: "out = h.copyUpTo(v, key);" };

/** `x` stays as it is. */
const kept = (slot: Slot) => `if (out !== undefined) ${slot.assign("x")};`;
/** `x` is left out. */
const dropped = (slot: Slot) => `if (out === undefined) ${slot.copy}`;
/** `x` becomes `value`. */
const changed = (slot: Slot, value: string) => `if (out === undefined) ${slot.copy} ${slot.assign(value)};`;
/** `x` becomes `d`, which may be `x` itself. */
const stored = (slot: Slot) => `if (out !== undefined) ${slot.assign("d")}; else if (d !== x) { ${slot.copy} ${slot.assign("d")}; }`;

/**
 * The most one evaluation of a rule can cost, its messageExpression's included, from their costs as
 * kube-apiserver estimates them when the CRD is written: twice the estimates and 10 more, for what cel-go charges
 * at run time but leaves out of its estimates (comparing two objects or lists costs a unit per ten entries, the
 * estimate may say nothing). Infinity where the per-call limit could stop an evaluation.
 */
export function evaluationBound(schema: JSONSchemaProps, site: CelRuleSite): number {
  const { problems, cost } = checkRule(site.rule, schemaNode(schema, site.path), { isRoot: site.path.length === 0, correlatable: true, cardinality: 1 }, libraries);
  const costs = [cost.rule, cost.messageExpression ?? 0].map((c) => 2 * c + 10);
  return problems.length > 0 || costs.some((c) => c > PER_CALL_LIMIT) ? Infinity : costs[0]! + costs[1]!;
}

/** `cost` times how often the rules at `path` can run, as kube's estimator counts it (cost.ts childCardinality). */
function timesRun(schema: JSONSchemaProps, path: readonly string[], cost: number): number {
  let cardinality: number | undefined = 1;
  let node = schema;
  for (let i = 0; i < path.length; i++) {
    cardinality = childCardinality(node, cardinality);
    node = path[i] === "properties" ? node.properties![path[++i]!]! : (node[path[i] as "items" | "additionalProperties"] as JSONSchemaProps);
  }
  return cardinality === undefined && cost > 0 ? Infinity : multiplyCost(cost, cardinality ?? 0);
}

function preserves(schema: JSONSchemaProps): boolean {
  return schema["x-kubernetes-preserve-unknown-fields"] === true;
}

/** A node that describes no object or list: decoding passes its scalars as they are. */
function isScalarNode(at: DecodeLocation): boolean {
  const { schema } = at;
  return !at.keep && !at.resource && !schema.properties && schema.additionalProperties === undefined && !schema.items;
}

/**
 * Whether a rule at or below the node may read oldSelf: an old value is followed down only to such rules. (Any
 * mention counts, one in a string literal too: following an old value no rule reads changes nothing.)
 */
function readsOld(node: RuleNode): boolean {
  return node.entries.some(({ entry }) => /\boldSelf\b/.test(entry.rule.rule)) ||
    node.children.some(readsOld) || (node.items !== undefined && readsOld(node.items)) ||
    (node.additionalProperties !== undefined && readsOld(node.additionalProperties));
}
