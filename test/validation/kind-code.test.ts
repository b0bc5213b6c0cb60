// A kind's generated walks (api/validation/kind-code.ts: decoding, list types, CEL rules over JSON) run side by side
// with the generic engine (decode.ts, list-types.ts, cel.ts with the rules table) on the same objects, and must give
// the same result: errors, warnings and the decoded object, its key order included. For every kind of crds/ the
// generated validator is compared on its examples, the rule cases and random objects; for a schema with rules at
// every kind of node (root, map values, list items, embedded resource, defaulted, nullable, int-or-string,
// date-time, escaped names, transition and optionalOldSelf rules, messageExpression, fieldPath and reason), code
// made at run time by compileKindCode is compared on random objects.
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { JSONSchemaProps, ValidationRule } from "../../api/apiextensions.ts";
import { compileRules } from "../../api/validation/compile-rules.ts";
import type { CelProgram } from "../../api/validation/cel.ts";
import { compileKindCode } from "../../api/validation/kind-code.ts";
import type { KindCode } from "../../api/validation/kind-runtime.ts";
import type { FieldPath } from "../../api/validation/prune.ts";
import { createValidator, genericCode, type ValidationResult, type Validator } from "../../api/validation/validate.ts";
import { createAjv, toJsonSchema } from "../../generator/schema/json-schema.ts";
import { loadExamples } from "../support/examples.ts";
import { crdKinds, generatedDefinition, generatedValidator } from "../support/validation.ts";
import { objectsOf } from "./arbitrary.ts";
import { ruleCases } from "./rule-cases.ts";
import { standaloneModules } from "./standalone-modules.ts";
import { WIDGET_SCHEMA } from "./widget.ts";

/** The same result, the decoded object's key order included. */
function expectSame(actual: ValidationResult, expected: ValidationResult): void {
  expect(actual).toEqual(expected);
  expect(JSON.stringify(actual.object)).toBe(JSON.stringify(expected.object));
}

/** An update's old object: none, the object itself (nothing changed: ratcheting), or another object. */
const oldOf = (objects: fc.Arbitrary<Record<string, unknown>>) =>
  fc.oneof(fc.constant("none" as const), fc.constant("same" as const), objects);

/**
 * The validators agree on random objects, and so do their walks on their own, rules included whatever the object's
 * structural errors (which keep the validators from running them).
 */
function sideBySide(
  validators: { generated: Validator; generic: Validator }, code: { generated: KindCode; generic: KindCode },
  objects: fc.Arbitrary<Record<string, unknown>>, numRuns: number,
): void {
  const decoded = (walks: KindCode, object: Record<string, unknown>) => {
    const unknown: FieldPath[] = [];
    const value = walks.decode(object, unknown);
    return { value, unknown: unknown.map((path) => JSON.stringify(path)).sort() }; // reported in any order
  };
  const walked = (walks: KindCode, object: Record<string, unknown>, old: Record<string, unknown> | undefined) => {
    const [now, before] = [decoded(walks, object), old && decoded(walks, old)];
    const report = { errors: [], warnings: [] };
    walks.rules(now.value, before?.value, report);
    return { decoded: now, lists: walks.listTypes(now.value), report };
  };
  fc.assert(fc.property(objects, oldOf(objects), (object, old) => {
    const before = old === "none" ? undefined : old === "same" ? structuredClone(object) : old;
    const input = structuredClone(object);
    expectSame(validators.generated(object, before), validators.generic(object, before));
    const [generated, generic] = [walked(code.generated, object, before), walked(code.generic, object, before)];
    expect(generated).toEqual(generic);
    expect(JSON.stringify(generated)).toBe(JSON.stringify(generic));
    expect(object).toEqual(input); // never modified
    // Copy on write: an object decoding does not change comes back as it is.
    if (isDeepStrictEqual(generic.decoded.value, object)) expect(generated.decoded.value).toBe(object);
  }), { numRuns });
}

describe("the generated validator of every kind gives what the generic engine gives", () => {
  const examples = loadExamples();
  const cases = ruleCases();
  describe.each([...crdKinds()])("%s", (key, { apiVersion, kind, schema }) => {
    const generated = generatedValidator(key);
    const standalone = standaloneModules[apiVersion]!;
    const generic = createValidator({ ...generatedDefinition(apiVersion, kind), walks: { rules: standalone[`${kind}Rules`] as CelProgram[] } });

    it("is made with the kind's generated walks", () => {
      expect(readFileSync(`generated/${apiVersion}/validators.ts`, "utf8")).toContain(`  walks: { code: standalone.${kind}Code },\n`);
      expect(standalone[`${kind}Code`]).toBeDefined();
    });

    it("on its examples, created and updated unchanged", () => {
      for (const { object } of examples.filter((e) => `${e.object.apiVersion}/${e.object.kind}` === key)) {
        expectSame(generated(object), generic(object));
        expectSame(generated(object, object), generic(object, object));
      }
    });

    it("on the objects that violate its rules, created and updated", () => {
      for (const c of cases.filter((c) => c.kind === key)) {
        expectSame(generated(c.object), generic(c.object));
        expectSame(generated(c.object, c.old), generic(c.object, c.old));
        expectSame(generated(c.valid, c.object), generic(c.valid, c.object));
      }
    });

    it("on random objects, created and updated", () => {
      const code = { generated: standalone[`${kind}Code`] as KindCode, generic: genericCode(schema, standalone[`${kind}Rules`] as CelProgram[]) };
      sideBySide({ generated, generic }, code, objectsOf(apiVersion, kind, schema), 100);
    });
  });
});

/** The rules of the schema below, by the schema path of their node. */
const RULES: Record<string, ValidationRule[]> = {
  "": [{ rule: "self.metadata.name != 'forbidden'", message: "name forbidden" }, { rule: "!has(self.spec) || self.spec.name != oldSelf.spec.name || true" }],
  spec: [
    { rule: "!has(self.maybe) || self.maybe != 'x'" },
    { rule: "!has(self.count) || self.count < 9", messageExpression: "'count is ' + string(self.count)" },
    { rule: "!has(self.a__dash__b) || self.a__dash__b != 'no'", fieldPath: ".a-b", reason: "FieldValueForbidden" },
    { rule: "!has(self.options) || !has(self.options.b) || self.options.b < 1", fieldPath: ".options", reason: "FieldValueRequired" },
    { rule: "self.tags.size() < 2 || self.tags[0] != self.tags[1]" },
  ],
  "spec.when": [{ rule: "self < timestamp('2030-01-01T00:00:00Z')" }],
  "spec.port": [{ rule: "type(self) == int ? self > 0 : self.size() > 0" }],
  "spec.tags.items": [{ rule: "self.size() <= 4 && !self.startsWith('x')" }],
  "spec.labels": [{ rule: "self.all(k, k.size() < 4)" }],
  "spec.labels.additionalProperties": [{ rule: "self != 'bad'", message: "bad label" }],
  "spec.set": [
    { rule: "self.all(x, x != 'z')" },
    { rule: "!oldSelf.hasValue() || self.size() >= oldSelf.value().size()", optionalOldSelf: true, message: "the set shrank" },
  ],
  "spec.entries.items": [
    { rule: "!has(self.value) || self.value >= 0", fieldPath: ".value", reason: "FieldValueForbidden" },
    { rule: "!has(self.value) || !has(oldSelf.value) || self.value >= oldSelf.value", message: "value went down" },
  ],
  "spec.pairs": [{ rule: "self.all(p, p.b < 100) && self.exists_one(p, p.a == 'one') || self.size() != 1" }],
  "spec.nested.inner": [{ rule: "self.x > 0 && self.x != 7 || !has(self.y)" }],
  "spec.free": [{ rule: "!has(self.known) || has(self.known.a)" }],
  "spec.template": [{ rule: "!has(self.kind) || self.kind != 'Secret'" }, { rule: "self == oldSelf", message: "immutable" }],
  "spec.step": [{ rule: "self % 10 == 0", messageExpression: "'step ' + string(self)" }],
  "spec.ratio": [{ rule: "self * 4.0 == double(int(self * 4.0))" }],
};

/** The widget schema with a field needing escaping in CEL and the rules above in place. */
function ruleSchema(): JSONSchemaProps {
  const schema = parse(WIDGET_SCHEMA) as JSONSchemaProps;
  schema.properties!.spec!.properties!["a-b"] = { type: "string" };
  for (const [where, rules] of Object.entries(RULES)) {
    let node = schema;
    for (const step of where === "" ? [] : where.split(".")) {
      node = step === "items" ? node.items! : step === "additionalProperties" ? (node.additionalProperties as JSONSchemaProps) : node.properties![step]!;
    }
    node["x-kubernetes-validations"] = rules;
  }
  return schema;
}

describe("code made at run time for a schema with rules on every kind of node gives what the generic engine gives", () => {
  const schema = ruleSchema();
  const definition = {
    group: "example.com", version: "v1", kind: "Widget", namespaced: true, schema,
    structural: createAjv().compile(toJsonSchema(schema)),
  };
  const code = { generated: compileKindCode(schema)!, generic: genericCode(schema, compileRules(schema)) };
  const generic = createValidator({ ...definition, walks: { code: code.generic } });
  const generated = createValidator({ ...definition, walks: { code: code.generated } });

  it("on random objects, created and updated", () => sideBySide({ generated, generic }, code, objectsOf("example.com/v1", "Widget", schema), 400));

  it("reports what the rules say, where they say it", () => {
    const spec = { name: "abc", count: 9, "a-b": "no", options: { a: "a", b: 1 }, tags: ["x", "x"], labels: { long: "bad" }, set: ["z"], entries: [{ name: "e", value: -1 }] };
    const object = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "forbidden", namespace: "ns" }, spec };
    const result = generated(object);
    expect(result.errors.map((e) => `${e.field}: ${e.detail}`)).toEqual(generic(object).errors.map((e) => `${e.field}: ${e.detail}`));
    expect(result.errors.map((e) => e.field)).toEqual(expect.arrayContaining([
      "<nil>", "spec", "spec.a-b", "spec.options", "spec.tags[0]", "spec.labels", "spec.labels[long]", "spec.set", "spec.entries[0].value",
    ]));
  });
});

describe("a schema whose rules generated walks cannot hand what the generic walk does", () => {
  // With rules on both, a field with an escaped name where unknown fields are kept gets, from the generic walk,
  // its part of the parent's CEL value, which an unknown field of that escaped name could have replaced.
  const schema: JSONSchemaProps = {
    type: "object",
    properties: {
      spec: {
        type: "object",
        "x-kubernetes-preserve-unknown-fields": true,
        "x-kubernetes-validations": [{ rule: "has(self.a__dash__b)" }],
        properties: { "a-b": { type: "string", "x-kubernetes-validations": [{ rule: "self != 'x'" }] } },
      },
    },
  };

  it("keeps the generic walks", () => {
    expect(compileKindCode(schema)).toBeUndefined();
    expect(compileKindCode({ ...schema, properties: { spec: { ...schema.properties!.spec!, "x-kubernetes-validations": [] } } })).toBeDefined();
  });
});

describe("the generated walks remember the strings a rule passed (remembered.ts)", () => {
  const validate = generatedValidator("agentic.openshift.io/v1alpha1/Proposal");
  const example = loadExamples().find((e) => e.name.endsWith("proposal-remediation.yaml#0"))!.object;
  const withAgent = (agent: string) => ({ ...structuredClone(example), spec: { ...structuredClone(example.spec as object), analysis: { agent } } });

  it("and fail a value they did not pass every time, whatever passed in between", () => {
    const failing = validate(withAgent("Not_A_Name")).errors;
    expect(failing.map((e) => e.field)).toContain("spec.analysis.agent");
    for (const agent of ["Not_A_Name", "smart", "Not_A_Name", "smart", "Not_A_Name"]) {
      expect(validate(withAgent(agent)).errors).toEqual(agent === "smart" ? [] : failing);
    }
  });
});
