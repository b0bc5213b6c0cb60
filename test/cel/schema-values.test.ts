// The values rules see (api/cel/schema-values.ts, kube's UnstructuredToVal): JSON converted by its schema, and
// what rules compiled by crdkit then make of them.
import { describe, expect, it } from "vitest";
import type { JSONSchemaProps } from "../../api/apiextensions.ts";
import { compileToFunction } from "../../api/cel/compile.ts";
import { libraries } from "../../api/cel/environment.ts";
import { toCelValue } from "../../api/cel/schema-values.ts";
import { Duration, SetOrMapList, Timestamp, type CelValue } from "../../api/cel/values.ts";

const string: JSONSchemaProps = { type: "string" };
const set = (...items: CelValue[]) => Object.assign(new SetOrMapList(undefined), items);
const mapList = (keys: string[], ...items: CelValue[]) => Object.assign(new SetOrMapList(keys), items);

describe("toCelValue", () => {
  it.each<[string, JSONSchemaProps, unknown, CelValue]>([
    ["an integer as int", { type: "integer" }, 3, 3n],
    ["a number as double, integral or not", { type: "number" }, 3, 3],
    ["a date-time as a timestamp", { type: "string", format: "date-time" }, "2024-05-01T12:00:00.5Z", new Timestamp(1714564800n, 500_000_000)],
    ["a date as a timestamp at midnight UTC", { type: "string", format: "date" }, "2024-05-01", new Timestamp(1714521600n, 0)],
    ["a duration as a duration", { type: "string", format: "duration" }, "1m30s", new Duration(90n, 0)],
    ["a Scala-style duration as a duration (strfmt)", { type: "string", format: "duration" }, "1 day 2 hours 30 secs", new Duration(93_630n, 0)],
    ["bytes from base64", { type: "string", format: "byte" }, "aGk=", new Uint8Array([104, 105])],
    ["a string that fails its format as the string", { type: "string", format: "date-time" }, "yesterday", "yesterday"],
    ["an int-or-string number as int", { "x-kubernetes-int-or-string": true }, 8080, 8080n],
    ["an int-or-string string as string", { "x-kubernetes-int-or-string": true }, "http", "http"],
    ["preserved unknown JSON as dyn: integral numbers int", { type: "object", "x-kubernetes-preserve-unknown-fields": true }, { a: [1, 1.5, "x", null] }, { a: [1n, 1.5, "x", null] }],
    ["object properties by their escaped names, nulls absent", {
      type: "object", properties: { "a-b": string, if: string, __x: string, n: { type: "string", nullable: true } },
    }, { "a-b": "1", if: "2", __x: "3", n: null }, { a__dash__b: "1", __if__: "2", __underscores__x: "3" }],
    ["a value that needs no conversion as itself", { type: "object", properties: { a: string, b: { type: "array", items: string } } }, { a: "x", b: ["y"] }, { a: "x", b: ["y"] }],
    ["undeclared properties invisible (pruning drops them first anyway)", { type: "object", properties: { a: { type: "integer" } } }, { a: 1, b: "y" }, { a: 1n }],
    ["undeclared properties kept (as dyn) where the schema preserves them", {
      type: "object", properties: { a: string }, "x-kubernetes-preserve-unknown-fields": true,
    }, { a: "x", b: 2 }, { a: "x", b: 2n }],
    ["map values by their schema, keys as written", { type: "object", additionalProperties: { type: "integer" } }, { "a-b": 1 }, { "a-b": 1n }],
    ["a set list", { type: "array", "x-kubernetes-list-type": "set", items: string }, ["a", "b"], set("a", "b")],
    ["a map list with its escaped keys", {
      type: "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["the-name"],
      items: { type: "object", properties: { "the-name": string } },
    }, [{ "the-name": "a" }], mapList(["the__dash__name"], { the__dash__name: "a" })],
    ["an atomic list as a plain list", { type: "array", items: { type: "integer" } }, [1, 2], [1n, 2n]],
    ["a value of the wrong type (let through by ratcheting) as dyn", { type: "integer" }, 1.5, 1.5],
  ])("converts %s", (_, schema, json, expected) => {
    const value = toCelValue(json, schema);
    expect(value).toEqual(expected);
    if (Array.isArray(expected)) expect(value?.constructor).toBe(expected.constructor);
  });

  it("shows a resource's metadata as name and generateName", () => {
    const schema: JSONSchemaProps = { type: "object", properties: { apiVersion: string, kind: string, metadata: { type: "object" } } };
    const object = { apiVersion: "v1", kind: "K", metadata: { name: "n", generateName: "g-", namespace: "ns", labels: { a: "b" } } };
    expect(toCelValue(object, schema, true)).toEqual({ apiVersion: "v1", kind: "K", metadata: { name: "n", generateName: "g-" } });
    const embedded: JSONSchemaProps = { type: "object", "x-kubernetes-embedded-resource": true, "x-kubernetes-preserve-unknown-fields": true };
    expect(toCelValue({ ...object, spec: { replicas: 1 } }, embedded)).toEqual({ apiVersion: "v1", kind: "K", metadata: { name: "n", generateName: "g-" }, spec: { replicas: 1n } });
  });
});

describe("rules over converted values", () => {
  const schema: JSONSchemaProps = {
    type: "object",
    properties: {
      count: { type: "integer" },
      ratio: { type: "number" },
      when: { type: "string", format: "date-time" },
      timeout: { type: "string", format: "duration" },
      port: { "x-kubernetes-int-or-string": true },
      tags: { type: "array", "x-kubernetes-list-type": "set", items: string },
      ports: {
        type: "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
        items: { type: "object", properties: { name: string, port: { type: "integer" } } },
      },
      list: { type: "array", items: string },
    },
  };
  const object = {
    count: 9007199254740991, ratio: 2, when: "2024-05-01T12:00:00Z", timeout: "90s", port: 80,
    tags: ["a", "b"], ports: [{ name: "http", port: 80 }, { name: "https", port: 443 }], list: ["a", "b"],
  };
  const reordered = { ...object, tags: ["b", "a"], ports: [...object.ports].reverse(), list: ["b", "a"] };
  const evaluate = (rule: string, self: unknown = object, oldSelf: unknown = object) =>
    compileToFunction(rule, libraries, { variables: ["self", "oldSelf"] })({ self: toCelValue(self, schema), oldSelf: toCelValue(oldSelf, schema) });

  it.each<[string, unknown]>([
    ["type(self.count) == int && self.count + 1 == 9007199254740992", true],
    ["type(self.ratio) == double && self.ratio == 2", true],
    ["self.when + self.timeout == timestamp('2024-05-01T12:01:30Z')", true],
    ["self.timeout < duration('2m')", true],
    ["type(self.port) == int && self.port == 80", true],
    // x-kubernetes-list-type set and map: == ignores order, + merges (the left operand decides)
    ["self.tags == oldSelf.tags && self.ports == oldSelf.ports", true],
    ["self.list == oldSelf.list", false],
    ["self.tags + ['c', 'a'] == ['a', 'b', 'c']", true],
    ["self.ports + [{'name': 'http', 'port': 8080}] == [{'name': 'http', 'port': 8080}, {'name': 'https', 'port': 443}]", true],
    ["['a', 'b'] + self.tags == ['a', 'b', 'b', 'a']", true],
    ["self.ports.map(p, p.port) == [443, 80]", true],
  ])("%s is %s", (rule, expected) => {
    expect(evaluate(rule, reordered)).toBe(expected);
  });
});
