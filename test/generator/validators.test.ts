// The validators emitter: every rule of a kind travels in its rules table with its program compiled to JavaScript,
// one program per distinct expression; an expression the compiler rejects stops generation, naming the CRD file and
// the rule's place in the schema.
import { describe, expect, it } from "vitest";
import type { JSONSchemaProps } from "../../api/apiextensions.ts";
import { emitValidators } from "../../generator/emit/validators.ts";
import type { GroupVersionModel } from "../../generator/model.ts";

const model = (spec: JSONSchemaProps): GroupVersionModel => ({
  group: "example.com",
  version: "v1",
  files: ["crds/widgets.yaml"],
  types: [],
  kinds: [{
    kind: "Widget", listKind: "WidgetList", plural: "widgets", singular: "widget", shortNames: [], namespaced: true, hasStatus: false,
    file: "crds/widgets.yaml",
    schema: { type: "object", properties: { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" }, spec } },
  }],
});
const standalone = (spec: JSONSchemaProps) => emitValidators(model(spec)).find((f) => f.path.endsWith("standalone.js"))!.content;

describe("emitValidators", () => {
  it("compiles each distinct expression once and gives every rule its program", () => {
    const rule = { rule: "self.size() > 0", message: "must not be empty" };
    const code = standalone({
      type: "object",
      properties: { a: { type: "string", "x-kubernetes-validations": [rule] }, b: { type: "string", "x-kubernetes-validations": [rule, { rule: "self == oldSelf" }] } },
    });
    expect(code.match(/^const cel\d+ = /gm)).toEqual(["const cel1 = ", "const cel2 = "]);
    expect(code).toContain('import { rt } from "../../../../api/cel/environment.ts";');
    expect(code.match(/evaluate: cel\d+/g)).toEqual(["evaluate: cel1", "evaluate: cel1", "evaluate: cel2"]);
    expect(code.match(/usesOldSelf: \w+/g)).toEqual(["usesOldSelf: false", "usesOldSelf: false", "usesOldSelf: true"]);
  });

  it("emits the kind's walks, or the generic walks over the rules table for a schema the walks do not handle", () => {
    const files = (spec: JSONSchemaProps) => Object.fromEntries(emitValidators(model(spec)).map((f) => [f.path.split("/").pop(), f.content]));
    const plain = files({ type: "object", properties: { a: { type: "string", "x-kubernetes-validations": [{ rule: "self != 'x'" }] } } });
    expect(plain["validators.ts"]).toContain("  walks: { code: standalone.WidgetCode },");
    expect(plain["standalone.js"]).toMatch(/^export const WidgetCode = /m);
    expect(plain["standalone.d.ts"]).toContain("export declare const WidgetCode: KindCode;");
    // a rule reading an escaped property below preserve-unknown-fields (see kind-code.test.ts)
    const escaped = files({
      type: "object",
      "x-kubernetes-preserve-unknown-fields": true,
      "x-kubernetes-validations": [{ rule: "has(self.a__dash__b)" }],
      properties: { "a-b": { type: "string", "x-kubernetes-validations": [{ rule: "self != 'x'" }] } },
    });
    expect(escaped["validators.ts"]).toContain("  walks: { rules: standalone.WidgetRules },");
    expect(escaped["standalone.js"]).not.toContain("WidgetCode");
    expect(escaped["standalone.d.ts"]).not.toContain("WidgetCode");
  });

  it("fails on an expression the compiler rejects, with the CRD file and the rule's schema path", () => {
    expect(() => standalone({ type: "object", properties: { a: { type: "string", "x-kubernetes-validations": [{ rule: "true" }, { rule: "self.nope(" }] } } }))
      .toThrow(/^crds\/widgets\.yaml: openAPIV3Schema\.properties\[spec\]\.properties\[a\]\.x-kubernetes-validations\[1\]\.rule: cannot compile CEL expression: ERROR: <input>:1:11: /);
  });
});
