// validators.ts of a group/version: validate<Kind>(object, oldObject?) for every kind, running the validation
// engine of api/validation with what the generator prepared in validators/standalone.js: ajv standalone code for
// the structural rules, the schema, the table of the kind's CEL rules with their programs compiled to JavaScript,
// and the kind's walks (decoding, list types, rules over JSON) as code made from its schema (nothing is compiled
// at run time).
import { _ } from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";
import type { JSONSchemaProps } from "../../api/apiextensions.ts";
import { ruleSites, type CelRuleSite } from "../../api/validation/cel.ts";
import { compileRuleExpression } from "../../api/validation/compile-rules.ts";
import { kindCodeSource, type KindCodeSource } from "../../api/validation/kind-code.ts";
import { schemaNode } from "../../api/validation/structural.ts";
import { formatPath } from "../loader/problems.ts";
import type { GroupVersionModel, KindModel } from "../model.ts";
import { createAjv, re2Engine, toJsonSchema } from "../schema/json-schema.ts";
import { API, folderOf, header, importStatement, type EmittedFile } from "./emitter.ts";

export function emitValidators(model: GroupVersionModel): EmittedFile[] {
  const folder = folderOf(model);
  const { content, walks } = standaloneModule(model);
  return [
    { path: `${folder}/validators.ts`, content: validatorsModule(model, walks) },
    { path: `${folder}/validators/standalone.js`, content },
    { path: `${folder}/validators/standalone.d.ts`, content: standaloneDeclarations(model, walks) },
  ];
}

/** Per kind, its walks (kind-code.ts), or undefined where the generic walks run. */
type Walks = ReadonlyMap<KindModel, KindCodeSource | undefined>;

function validatorsModule(model: GroupVersionModel, walks: Walks): string {
  const kinds = model.kinds.map((kind) => {
    const name = kind.kind[0]!.toLowerCase() + kind.kind.slice(1);
    return [
      `/** What validate${kind.kind} is made from (api/validation/validate.ts createValidator). */`,
      `export const ${name}Definition: KindDefinition = {`,
      `  group: ${JSON.stringify(model.group)},`,
      `  version: ${JSON.stringify(model.version)},`,
      `  kind: ${JSON.stringify(kind.kind)},`,
      `  namespaced: ${kind.namespaced},`,
      `  schema: standalone.${kind.kind}Schema,`,
      `  structural: standalone.${kind.kind},`,
      walks.get(kind) === undefined ? `  walks: { rules: standalone.${kind.kind}Rules },` : `  walks: { code: standalone.${kind.kind}Code },`,
      "};",
      "",
      `const ${name}Validator = createValidator(${name}Definition);`,
      "",
      `/**`,
      ` * Validates a ${kind.kind} as kube-apiserver does when it is created, or updated from \`oldObject\`: pruning,`,
      ` * defaulting, metadata, OpenAPI schema, list types and CEL rules, with kube's field paths and messages.`,
      ` */`,
      `export function validate${kind.kind}(object: unknown, oldObject?: unknown, options?: ValidateOptions): ValidationResult {`,
      `  return ${name}Validator(object, oldObject, options);`,
      "}",
    ].join("\n");
  });
  return [
    header(model),
    importStatement(["createValidator", "type KindDefinition", "type ValidateOptions", "type ValidationResult"], `${API}/validation/validate.ts`),
    'import * as standalone from "./validators/standalone.js";',
    "",
    ...kinds.flatMap((k) => [k, ""]),
  ].join("\n");
}

/**
 * Plain JavaScript, so loading it costs no type stripping: per kind, ajv standalone code checking its structure
 * (patterns on RE2 and kube's formats, both imported; nothing compiled at run time), its schema as validation
 * uses it, the table of its CEL rules, each with its program compiled to JavaScript (api/cel/compile.ts) and
 * bound once to the runtime `rt` of the Kubernetes CEL environment (rules with the same expression share one
 * program), and its walks (api/validation/kind-code.ts), which run the rules as programs over JSON.
 */
function standaloneModule(model: GroupVersionModel): { content: string; walks: Walks } {
  const ajv = createAjv({ messages: false, code: { source: true, esm: true, lines: true, regExp: re2Engine, formats: _`formats` } });
  for (const kind of model.kinds) ajv.addSchema(toJsonSchema(kind.schema), kind.kind);
  const code = standaloneCode.default(ajv, Object.fromEntries(model.kinds.map((k) => [k.kind, k.kind]))).replace(/^"use strict";\n?/, "");
  const [programs, meteredPrograms] = [new Programs(false), new Programs(true)];
  const table = (name: string, kind: KindModel, of: Programs) => {
    const entries = ruleSites(kind.schema).map((site) => ruleEntry(site, kind, of));
    return `export const ${name} = [${entries.map((e) => `\n${e},`).join("")}\n];`;
  };
  const tables = model.kinds.map((kind) => table(`${kind.kind}Rules`, kind, programs));
  const walks = new Map(model.kinds.map((kind) => [kind, kindCodeOf(kind)])); // after the tables, which report bad rules best
  // Kinds whose rules could reach the runtime cost limits run them again metered where they might (KindCodeSource).
  const meteredTables = model.kinds.map((kind) => (walks.get(kind)?.metered ? table(`${kind.kind}MeteredRules`, kind, meteredPrograms) : undefined));
  const data = model.kinds.flatMap((kind, i) => [
    `export const ${kind.kind}Schema = ${JSON.stringify(validationSchema(kind.schema), null, 2)};`,
    "",
    tables[i]!,
    "",
    ...(meteredTables[i] ? [meteredTables[i], ""] : []),
    ...kindCode(kind, walks.get(kind), programs.count > 0),
  ]);
  const content = [
    header(model).trimEnd(),
    'import { RE2JS } from "@bufbuild/re2";',
    importStatement(["KUBE_FORMATS as formats"], `../${API}/validation/formats.ts`), // one folder deeper
    importStatement(["kindHelpers"], `../${API}/validation/kind-runtime.ts`),
    ...(programs.count > 0 ? [importStatement(["rt"], `../${API}/cel/environment.ts`)] : []),
    // ajv's generated code requires its own runtime helpers (CommonJS), such as ucs2length.
    ...(code.includes("require(") ? ['import { createRequire } from "node:module";', "const require = createRequire(import.meta.url);"] : []),
    "",
    ...programs.declarations,
    ...meteredPrograms.declarations,
    ...(programs.count > 0 ? [""] : []),
    ...data,
    code.trimEnd(),
    "",
  ].join("\n");
  return { content, walks };
}

/** The compiled programs of a module, one per distinct expression, declared as `cel<N>` (`metered<N>` when metered). */
class Programs {
  readonly declarations: string[] = [];
  private readonly names = new Map<string, { name: string; reads: ReadonlySet<string> }>();
  private readonly metered: boolean;

  constructor(metered: boolean) {
    this.metered = metered;
  }

  get count(): number {
    return this.names.size;
  }

  /** The program of `expression`; a rule the compiler rejects is reported with its CRD file and schema path. */
  of(expression: string, where: () => string): { name: string; reads: ReadonlySet<string> } {
    let program = this.names.get(expression);
    if (!program) {
      let compiled;
      try {
        compiled = compileRuleExpression(expression, this.metered);
      } catch (error) {
        throw new Error(`${where()}: cannot compile CEL expression: ${(error as Error).message}`);
      }
      program = { name: `${this.metered ? "metered" : "cel"}${this.names.size + 1}`, reads: compiled.reads };
      this.names.set(expression, program);
      this.declarations.push(`// ${expression.replace(/\s+/g, " ")}`, `const ${program.name} = (${compiled.source})(rt);`);
    }
    return program;
  }
}

/**
 * The source of the kind's walks, or undefined where the generic walks must run (kindCodeSource). A rule that cannot
 * be compiled was reported with its CRD file and schema path by Programs.
 */
function kindCodeOf(kind: KindModel): KindCodeSource | undefined {
  try {
    return kindCodeSource(kind.schema);
  } catch (error) {
    throw new Error(`${kind.file}: ${(error as Error).message}`);
  }
}

/** The kind's walks bound to its schema and rules (and metered rules), where it has them. */
function kindCode(kind: KindModel, walks: KindCodeSource | undefined, usesCel: boolean): string[] {
  if (walks === undefined) return [];
  const metered = walks.metered ? `() => ${kind.kind}MeteredRules` : "undefined";
  return [`export const ${kind.kind}Code = (${walks.source})(kindHelpers, ${usesCel ? "rt" : "undefined"}, ${kind.kind}Schema, ${kind.kind}Rules, ${metered});`, ""];
}

/** A rules-table entry: where the rule sits, the rule, and its programs. */
function ruleEntry(site: CelRuleSite, kind: KindModel, programs: Programs): string {
  const rules = schemaNode(kind.schema, site.path)["x-kubernetes-validations"] ?? [];
  const where = (field: string) => () =>
    `${kind.file}: ${formatPath(["openAPIV3Schema", ...site.path, "x-kubernetes-validations", rules.indexOf(site.rule), field])}`;
  const rule = programs.of(site.rule.rule, where("rule"));
  const message = site.rule.messageExpression === undefined ? undefined : programs.of(site.rule.messageExpression, where("messageExpression"));
  return [
    "  {",
    `    path: ${JSON.stringify(site.path)},`,
    `    rule: ${JSON.stringify(site.rule)},`,
    `    usesOldSelf: ${rule.reads.has("oldSelf")},`,
    `    evaluate: ${rule.name},`,
    ...(message ? [`    message: ${message.name},`] : []),
    "  }",
  ].join("\n");
}

function standaloneDeclarations(model: GroupVersionModel, walks: Walks): string {
  return [
    header(model),
    importStatement(["JSONSchemaProps"], `../${API}/apiextensions.ts`, true),
    importStatement(["CelProgram"], `../${API}/validation/cel.ts`, true),
    importStatement(["KindCode"], `../${API}/validation/kind-runtime.ts`, true),
    importStatement(["StructuralValidateFunction"], `../${API}/validation/structural.ts`, true),
    "",
    ...model.kinds.flatMap((kind) => [
      `export declare const ${kind.kind}: StructuralValidateFunction;`,
      `export declare const ${kind.kind}Schema: JSONSchemaProps;`,
      `export declare const ${kind.kind}Rules: readonly CelProgram[];`,
      ...(walks.get(kind) === undefined ? [] : [`export declare const ${kind.kind}Code: KindCode;`]),
    ]),
    "",
  ].join("\n");
}

/** The schema as validation uses it: documentation and CEL rules (which travel in the rules table) left out. */
function validationSchema(node: JSONSchemaProps): JSONSchemaProps {
  const { description: _d, example: _e, externalDocs: _x, title: _t, "x-kubernetes-validations": _v, ...kept } = node;
  const out: JSONSchemaProps = { ...kept };
  if (node.properties) out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, validationSchema(v)]));
  if (typeof node.additionalProperties === "object") out.additionalProperties = validationSchema(node.additionalProperties);
  if (node.items) out.items = validationSchema(node.items);
  for (const junctor of ["allOf", "anyOf", "oneOf"] as const) if (node[junctor]) out[junctor] = node[junctor]!.map(validationSchema);
  if (node.not) out.not = validationSchema(node.not);
  return out;
}
