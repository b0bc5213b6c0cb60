// The agent output schemas (DECISIONS A3, agentic-api.md §13): every bound of each step schema rejects an answer
// that breaks it, at the right place; every schema-valid answer can be persisted as its Result kind's status;
// analysisOutputSchema follows the table of §13.2.3; and the JSON files are the exported TS constants.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { isCelError, run } from "@bufbuild/cel";
import type { ErrorObject } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { JSONSchemaProps } from "../../api/apiextensions.ts";
import { findUnknownFields } from "../../api/validation/prune.ts";
import {
  analysisDefaultOutputSchema, analysisMinimalOutputSchema, analysisOutputSchema, escalationOutputSchema,
  executionOutputSchema, verificationOutputSchema,
  type AnalysisAnswer, type EscalationAnswer, type ExecutionAnswer, type VerificationAnswer,
} from "../../generated/agentic.openshift.io/v1alpha1/agent-schemas.ts";
import type { Proposal, ProposalSpec, RemediationOption } from "../../generated/agentic.openshift.io/v1alpha1/types.ts";
import { loadCrds } from "../../generator/loader/index.ts";
import { createAjv, toJsonSchema, type JsonSchema } from "../../generator/schema/json-schema.ts";

const ajv = createAjv();
const crds = loadCrds(["crds"]);

function kindSchema(kind: string): JSONSchemaProps {
  const loaded = crds.find(({ crd }) => crd.spec.group === "agentic.openshift.io" && crd.spec.names.kind === kind);
  if (!loaded) throw new Error(`no CRD for ${kind}`);
  return loaded.crd.spec.versions.find((v) => v.name === "v1alpha1")!.schema.openAPIV3Schema;
}

// ---- Correct answers: realistic, and with every optional field and object present --------------------------

/** The approved option of examples/agentic.openshift.io/analysisresult.yaml, plus a cluster-scoped rule. */
const raiseMemoryLimit: RemediationOption = {
  title: "Raise the **checkout** memory limit to 1Gi",
  summary: "The v2.18.0 release needs more heap than the 512Mi limit allows; raise the limit and keep the release.",
  diagnosis: {
    summary: "All restarts of checkout since the v2.18.0 rollout end with reason OOMKilled. Container memory reaches the 512Mi limit about 90 seconds after start.",
    confidence: "High",
    rootCause: "The v2.18.0 image loads a larger product catalogue cache at start-up and needs more memory than the 512Mi container limit.",
  },
  proposal: {
    description: "Patch the checkout Deployment to raise the container memory request to 768Mi and the limit to 1Gi, then wait for the rollout.",
    actions: [
      { type: "patch", description: "oc -n payments set resources deployment/checkout --requests=memory=768Mi --limits=memory=1Gi" },
      { type: "rollout", description: "Wait for deployment/checkout to finish rolling out (oc -n payments rollout status deployment/checkout)." },
    ],
    risk: "Low",
    reversible: "Reversible",
    estimatedImpact: "A rolling restart of 3 checkout pods; no downtime expected with the current PodDisruptionBudget.",
    rollbackPlan: {
      description: "Restore the previous memory request and limit.",
      command: "oc -n payments rollout undo deployment/checkout",
    },
  },
  verification: {
    description: "Confirm the pods stay up and no longer get OOMKilled.",
    steps: [
      {
        name: "pods-ready",
        command: "oc -n payments get deployment/checkout -o jsonpath='{.status.readyReplicas}'",
        expected: "3",
        type: "command",
      },
      {
        name: "no-new-restarts",
        command: "oc -n payments get pods -l app=checkout -o jsonpath='{.items[*].status.containerStatuses[0].restartCount}'",
        expected: "restart counts do not increase over 10 minutes",
        type: "condition",
      },
    ],
  },
  rbac: {
    namespaceScoped: [
      {
        namespace: "payments",
        apiGroups: ["apps"],
        resources: ["deployments"],
        resourceNames: ["checkout"],
        verbs: ["get", "patch"],
        justification: "Read and patch the checkout Deployment's resource limits.",
      },
      {
        namespace: "payments",
        apiGroups: [""],
        resources: ["pods"],
        verbs: ["get", "list"],
        justification: "Watch the rollout of the new checkout pods.",
      },
    ],
    clusterScoped: [
      {
        // Ignored for cluster-scoped rules, but bounded all the same: present so its bounds are exercised.
        namespace: "payments",
        apiGroups: [""],
        resources: ["nodes"],
        resourceNames: ["worker-1.ocp.example.com", "worker-2.ocp.example.com"],
        verbs: ["get"],
        justification: "Check that the worker nodes have room for the larger memory request.",
      },
    ],
  },
};

const rollBack: RemediationOption = {
  title: "Roll checkout back to v2.17.3",
  summary: "Return to the last release that ran within 512Mi while the cache size is investigated.",
  diagnosis: {
    summary: "The OOMKills started with the v2.18.0 rollout; v2.17.3 ran for 3 weeks within 512Mi.",
    confidence: "Medium",
    rootCause: "A change in v2.18.0 raised the memory footprint of checkout beyond its 512Mi limit.",
  },
  proposal: {
    description: "Undo the v2.18.0 rollout of deployment/checkout.",
    actions: [{ type: "rollout", description: "oc -n payments rollout undo deployment/checkout" }],
    risk: "Medium",
    reversible: "Partial",
    estimatedImpact: "Checkout loses the v2.18.0 features until a fixed release ships.",
    rollbackPlan: { description: "Roll forward to v2.18.0 again once the memory limit is raised." },
  },
  verification: { description: "Confirm the v2.17.3 pods stay up." },
  rbac: {
    namespaceScoped: [{
      namespace: "payments",
      apiGroups: ["apps"],
      resources: ["deployments", "replicasets"],
      verbs: ["get", "list", "patch"],
      justification: "Undo the rollout of the checkout Deployment.",
    }],
  },
};

const analysisAnswer: AnalysisAnswer = { success: true, options: [raiseMemoryLimit, rollBack] };

const minimalAnswer: AnalysisAnswer = { success: true, options: [{ title: "Node worker-3 lost its kubelet" }, { title: "Network partition" }] };

const executionAnswer: ExecutionAnswer = {
  success: true,
  actionsTaken: [
    {
      type: "patch",
      description: "Raised the checkout container memory request to 768Mi and its limit to 1Gi.",
      outcome: "Failed",
      error: "Operation cannot be fulfilled on deployments.apps \"checkout\": the object has been modified; please apply your changes to the latest version and try again",
    },
    {
      type: "patch",
      description: "Raised the checkout container memory request to 768Mi and its limit to 1Gi (second try).",
      outcome: "Succeeded",
      output: "deployment.apps/checkout patched",
    },
    {
      type: "rollout",
      description: "Waited for deployment/checkout to roll out.",
      outcome: "Succeeded",
      output: "deployment \"checkout\" successfully rolled out",
    },
  ],
  verification: {
    conditionOutcome: "Improved",
    summary: "All 3 checkout pods are Ready and none has restarted in the 2 minutes since the rollout.",
  },
};

const verificationAnswer: VerificationAnswer = {
  success: true,
  checks: [
    {
      name: "pods-ready",
      source: "oc -n payments get deployment/checkout -o jsonpath='{.status.readyReplicas}'",
      value: "3",
      result: "Passed",
    },
    {
      name: "no-new-restarts",
      source: "oc -n payments get pods -l app=checkout -o jsonpath='{.items[*].status.containerStatuses[0].restartCount}'",
      value: "0 0 1 (one pod restarted during the window)",
      result: "Failed",
    },
  ],
  summary: "**Not verified.** deployment/checkout has 3/3 ready replicas, but one pod restarted during the 10-minute window.",
};

const escalationAnswer: EscalationAnswer = {
  success: true,
  summary: "**Escalated:** replication lag on orders-db-replica-1 stayed above 300s after 2 execution attempts. Needs a DBA.",
  content: "## What was tried\n1. Restarted the replica; lag came back within 15 minutes.\n2. Raised wal_receiver_timeout; no effect.\n\n## Suggested next steps\n- Move the replica volume to a storage class with more IOPS.\n",
};

interface Step {
  name: string;
  schema: JsonSchema;
  answer: { success: boolean };
  /** The Result kind the answer is persisted as. */
  kind: string;
  /** The answer's required fields: success and what the step must always give. */
  required: string[];
  /** The bounds the schema must have below its root, from those of the Result kind's status (see crdBoundsOf). */
  fromCrd: (bounds: string[]) => string[];
  /** Fewer generated violations than this means the walk went wrong. */
  atLeast: number;
}

const OPTION = "/properties/options/items";

const STEPS: Step[] = [
  {
    name: "analysis (Default)", schema: analysisDefaultOutputSchema, answer: analysisAnswer, kind: "AnalysisResult", required: ["success", "options"],
    // Default mode asks for the diagnosis and the proposal; the CRD only pairs them (R-RO1, R-RO2).
    fromCrd: (bounds) => [...bounds, `${OPTION} required diagnosis`, `${OPTION} required proposal`], atLeast: 300,
  },
  {
    name: "analysis (Minimal)", schema: analysisMinimalOutputSchema, answer: minimalAnswer, kind: "AnalysisResult", required: ["success", "options"],
    fromCrd: (bounds) => bounds.filter((b) => !b.startsWith(`${OPTION}/properties/`) || b.startsWith(`${OPTION}/properties/title `)), atLeast: 15,
  },
  { name: "execution", schema: executionOutputSchema, answer: executionAnswer, kind: "ExecutionResult", required: ["success", "actionsTaken"], fromCrd: (b) => b, atLeast: 50 },
  {
    name: "verification", schema: verificationOutputSchema, answer: verificationAnswer, kind: "VerificationResult", required: ["success", "checks", "summary"],
    fromCrd: (b) => b, atLeast: 40,
  },
  {
    name: "escalation", schema: escalationOutputSchema, answer: escalationAnswer, kind: "EscalationResult", required: ["success", "summary", "content"],
    fromCrd: (b) => b, atLeast: 12,
  },
];

// ---- Violations, generated by walking a schema alongside a correct answer ----------------------------------

type Segment = string | number;

/** An ajv error reduced to what identifies it: where, which keyword, and which property for required/additional. */
interface Failure {
  instancePath: string;
  keyword: string;
  property?: string;
}

interface Violation {
  /** Schema location (JSON pointer into the schema) and bound, e.g. `/properties/options maxItems`. */
  bound: string;
  /** The test's name: where, which bound, and for patterns the value breaking it. */
  title: string;
  instancePath: string;
  answer: unknown;
  expected: Failure[];
}

/** The keywords the walk understands; any other one fails the test so a new kind of bound is never skipped. */
const KEYWORDS = new Set(["description", "type", "properties", "required", "additionalProperties", "items", "enum",
  "minLength", "maxLength", "pattern", "minItems", "maxItems", "minProperties"]);

const pointer = (path: readonly Segment[]): string =>
  path.map((s) => `/${String(s).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A copy of `root` with the value at `path` replaced. */
function replaceAt(root: unknown, path: readonly Segment[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root);
  let node = copy as Record<Segment, unknown>;
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<Segment, unknown>;
  node[path.at(-1)!] = value;
  return copy;
}

/** Every bound a schema has, in the form Violation.bound names them. */
function boundsOf(schema: JsonSchema, at = ""): string[] {
  const bounds: string[] = [];
  for (const [keyword, value] of Object.entries(schema)) {
    if (!KEYWORDS.has(keyword)) throw new Error(`${at || "/"}: keyword ${keyword} is not handled by this test; extend it`);
    switch (keyword) {
      case "properties":
        for (const [name, child] of Object.entries(value as Record<string, JsonSchema>)) bounds.push(...boundsOf(child, `${at}/properties/${name}`));
        break;
      case "items":
        bounds.push(...boundsOf(value as JsonSchema, `${at}/items`));
        break;
      case "required":
        bounds.push(...(value as string[]).map((name) => `${at} required ${name}`));
        break;
      case "additionalProperties":
        if (value !== false) throw new Error(`${at}: additionalProperties ${JSON.stringify(value)} is not handled by this test; extend it`);
        bounds.push(`${at} additionalProperties`);
        break;
      case "type":
        if (typeof value !== "string") throw new Error(`${at}: a list of types is not handled by this test; extend it`);
        bounds.push(`${at} type`);
        break;
      case "description":
        break;
      default:
        bounds.push(`${at} ${keyword}`);
    }
  }
  return bounds;
}

/** Result status fields the operator writes itself: not part of an answer. */
const OPERATOR_FIELDS = ["conditions", "sandbox", "failureReason"];
/** CEL rules of the format library with an exact JSON Schema equivalent: a pattern. */
const PATTERN_RULES = ["!format.dns1123Label().validate(self).hasValue()", "!format.dns1123Subdomain().validate(self).hasValue()"];
/** CRD keywords that are no value bound. */
const NOT_BOUNDS = new Set(["description", "title", "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-preserve-unknown-fields"]);

/**
 * The bounds an agent schema must have for a CRD schema node, named as boundsOf names them: every keyword but
 * documentation and list semantics, each required field, a closed object wherever properties are declared and
 * unknown fields are not preserved, and a pattern for each DNS format rule. Other CEL rules have no equivalent.
 */
function crdBoundsOf(node: JSONSchemaProps, at: string): string[] {
  const bounds: string[] = [];
  for (const [keyword, value] of Object.entries(node)) {
    if (NOT_BOUNDS.has(keyword)) continue;
    if (keyword === "properties") {
      for (const [name, child] of Object.entries(value as Record<string, JSONSchemaProps>)) bounds.push(...crdBoundsOf(child, `${at}/properties/${name}`));
      if (!node["x-kubernetes-preserve-unknown-fields"]) bounds.push(`${at} additionalProperties`);
    } else if (keyword === "items") {
      bounds.push(...crdBoundsOf(value as JSONSchemaProps, `${at}/items`));
    } else if (keyword === "required") {
      bounds.push(...(value as string[]).map((name) => `${at} required ${name}`));
    } else if (keyword === "x-kubernetes-validations") {
      if ((value as { rule: string }[]).some((v) => PATTERN_RULES.includes(v.rule))) bounds.push(`${at} pattern`);
    } else {
      bounds.push(`${at} ${keyword}`);
    }
  }
  return bounds;
}

/** Each node of a Result kind's status (operator fields left out) with the node of the step schema made from it. */
/** The CRD's and the agent schema's node at each place, and whether the agent schema requires the property there. */
function nodePairs(step: Step): { at: string; crd: JSONSchemaProps; agent: JsonSchema; required: boolean }[] {
  const pairs: { at: string; crd: JSONSchemaProps; agent: JsonSchema; required: boolean }[] = [];
  const walk = (crd: JSONSchemaProps, agent: JsonSchema, at: string, required: boolean): void => {
    pairs.push({ at, crd, agent, required });
    for (const [name, child] of Object.entries(crd.properties ?? {})) {
      const agentChild = (agent.properties as Record<string, JsonSchema> | undefined)?.[name];
      if (agentChild) walk(child, agentChild, `${at}/properties/${name}`, ((agent.required as string[] | undefined) ?? []).includes(name));
    }
    if (crd.items && agent.items) walk(crd.items, agent.items as JsonSchema, `${at}/items`, false);
  };
  const status = kindSchema(step.kind).properties!.status!;
  for (const [name, node] of Object.entries(status.properties!)) {
    const agent = (step.schema.properties as Record<string, JsonSchema>)[name];
    if (!OPERATOR_FIELDS.includes(name) && agent) walk(node, agent, `/properties/${name}`, (step.schema.required as string[]).includes(name));
  }
  return pairs;
}

/**
 * The description an agent sees of a property: the CRD's, except that a property it must give is not called
 * optional there (the text around it stays).
 */
function expectDescription(agent: JsonSchema, crdDescription: string | undefined, required: boolean, at: string): void {
  if (!required || crdDescription === undefined || !/\bOptional\b/.test(crdDescription)) {
    expect(agent.description, `${at} description`).toBe(crdDescription);
    return;
  }
  const description = agent.description as string;
  expect(description, `${at} description`).not.toMatch(/\bOptional\b/);
  expect(description, `${at} description`).toContain("Required");
  for (const part of description.split("Required")) expect(crdDescription, `${at} description`).toContain(part);
}

/** The keywords whose values the step schema copies from the CRD. */
const COPIED = ["type", "enum", "minLength", "maxLength", "pattern", "minItems", "maxItems", "minProperties", "maxProperties", "minimum",
  "maximum", "format", "multipleOf"] as const;

/** The string keywords of `schema` that `value` breaks, as ajv reports them. */
function stringFailures(schema: JsonSchema, value: string): string[] {
  const failures: string[] = [];
  const length = [...value].length;
  if (typeof schema.minLength === "number" && length < schema.minLength) failures.push("minLength");
  if (typeof schema.maxLength === "number" && length > schema.maxLength) failures.push("maxLength");
  if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) failures.push("pattern");
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) failures.push("enum");
  return failures;
}

const WRONG_TYPE: Record<string, unknown> = { string: 42, boolean: "true", object: "not an object", array: "not an array", integer: "1", number: "1" };

/** For every bound of `schema` at every place of `answer` it applies to, a copy of `answer` breaking just that bound. */
function violationsOf(schema: JsonSchema, answer: unknown): Violation[] {
  const violations: Violation[] = [];
  const walk = (node: JsonSchema, value: unknown, at: string, path: Segment[]): void => {
    const instancePath = pointer(path);
    const add = (bound: string, broken: unknown, expected: Failure[], detail = ""): void => {
      violations.push({ bound: `${at} ${bound}`, title: `${instancePath || "/"}: ${at} ${bound}${detail}`, instancePath, answer: replaceAt(answer, path, broken), expected });
    };
    /** A string bound: `broken` must break it, and may break other string bounds of the node only where it has to. */
    const addString = (keyword: string, broken: string, detail = ""): void => {
      const failures = stringFailures(node, broken);
      if (!failures.includes(keyword)) throw new Error(`${instancePath}: ${JSON.stringify(broken)} does not break ${keyword}`);
      add(keyword, broken, failures.map((k) => ({ instancePath, keyword: k })), detail);
    };
    for (const keyword of Object.keys(node)) {
      if (!KEYWORDS.has(keyword)) throw new Error(`${at || "/"}: keyword ${keyword} is not handled by this test; extend it`);
    }
    if (typeof node.type === "string") {
      const broken = WRONG_TYPE[node.type];
      const expected: Failure[] = [{ instancePath, keyword: "type" }];
      if (Array.isArray(node.enum) && !node.enum.includes(broken)) expected.push({ instancePath, keyword: "enum" });
      add("type", broken, expected);
    }
    if (typeof value === "string") {
      if (Array.isArray(node.enum)) addString("enum", `${value}Not`);
      if (typeof node.minLength === "number" && node.minLength > 0) addString("minLength", value.slice(0, node.minLength - 1));
      if (typeof node.maxLength === "number") addString("maxLength", value.padEnd(node.maxLength + 1, "a"));
      if (typeof node.pattern === "string") {
        const pattern = new RegExp(node.pattern, "u");
        // Several ways to break it, so a pattern that lost an anchor or a character class is caught too.
        const candidates = [value.toUpperCase(), `-${value}`, `${value}-`, `${value}_x`, `${value}\n`, `.${value}`];
        const broken = candidates.filter((c) => !pattern.test(c) && stringFailures(node, c).length === 1);
        if (broken.length === 0) throw new Error(`${instancePath}: found no value that breaks only ${node.pattern}`);
        for (const b of broken) addString("pattern", b, ` ${JSON.stringify(b)}`);
      }
    }
    if (Array.isArray(value)) {
      if (typeof node.minItems === "number" && node.minItems > 0) {
        add("minItems", value.slice(0, node.minItems - 1), [{ instancePath, keyword: "minItems" }]);
      }
      if (typeof node.maxItems === "number") {
        const longer = Array.from({ length: node.maxItems + 1 }, (_, i) => structuredClone(value[i % value.length]));
        add("maxItems", longer, [{ instancePath, keyword: "maxItems" }]);
      }
      if (node.items) value.forEach((item, i) => walk(node.items as JsonSchema, item, `${at}/items`, [...path, i]));
    }
    if (isObject(value)) {
      const required = (node.required as string[] | undefined) ?? [];
      for (const name of required) {
        if (!(name in value)) throw new Error(`${instancePath}: the correct answer lacks required ${name}`);
        const { [name]: _, ...rest } = value;
        add(`required ${name}`, rest, [{ instancePath, keyword: "required", property: name }]);
      }
      if (node.additionalProperties === false) {
        add("additionalProperties", { ...value, unexpectedField: "x" }, [{ instancePath, keyword: "additionalProperties", property: "unexpectedField" }]);
      }
      if (typeof node.minProperties === "number" && node.minProperties > 0) {
        const fewer = Object.fromEntries(Object.entries(value).filter(([k]) => required.includes(k)));
        if (Object.keys(fewer).length >= node.minProperties) throw new Error(`${instancePath}: cannot break minProperties without breaking required`);
        add("minProperties", fewer, [{ instancePath, keyword: "minProperties" }]);
      }
      for (const [name, child] of Object.entries((node.properties as Record<string, JsonSchema> | undefined) ?? {})) {
        if (name in value) walk(child, value[name], `${at}/properties/${name}`, [...path, name]);
      }
    }
  };
  walk(schema, answer, "", []);
  return violations;
}

const failureKey = (f: Failure): string => `${f.instancePath} ${f.keyword}${f.property === undefined ? "" : ` ${f.property}`}`;

/** What ajv reports for `answer`, reduced to Failures and sorted. */
function failuresOf(schema: JsonSchema, answer: unknown): string[] {
  const validate = ajv.compile(schema);
  if (validate(answer)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => failureKey({
    instancePath: e.instancePath,
    keyword: e.keyword,
    property: (e.params as { missingProperty?: string; additionalProperty?: string }).missingProperty
      ?? (e.params as { additionalProperty?: string }).additionalProperty,
  })).sort();
}

const violationsByStep = new Map(STEPS.map((s) => [s.name, violationsOf(s.schema, s.answer)]));

describe.each(STEPS)("$name output schema", (step) => {
  const violations = violationsByStep.get(step.name)!;

  it("accepts the correct answer", () => {
    expect(failuresOf(step.schema, step.answer)).toEqual([]);
  });

  it("is a closed object requiring success and the step's fields", () => {
    expect(step.schema.type).toBe("object");
    expect(step.schema.additionalProperties).toBe(false);
    expect(step.schema.required).toEqual(step.required);
    expect((step.schema.properties as Record<string, JsonSchema>).success).toMatchObject({ type: "boolean" });
  });

  it(`has the bounds of the ${step.kind} status below its root (bounds, required fields, enums, closed objects, DNS patterns)`, () => {
    const status = kindSchema(step.kind).properties!.status!;
    const fields = Object.entries(status.properties!).filter(([name]) => !OPERATOR_FIELDS.includes(name));
    const expected = step.fromCrd(fields.flatMap(([name, node]) => crdBoundsOf(node, `/properties/${name}`)));
    const actual = boundsOf(step.schema).filter((b) => b.startsWith("/properties/") && !b.startsWith("/properties/success "));
    expect([...new Set(actual)].sort()).toEqual([...new Set(expected)].sort());
  });

  it(`has the values of the ${step.kind} status's bounds, and its descriptions`, () => {
    const pairs = nodePairs(step);
    expect(pairs.map((p) => p.at)).toEqual(expect.arrayContaining(Object.keys(step.schema.properties as object).filter((f) => f !== "success").map((f) => `/properties/${f}`)));
    for (const { at, crd, agent, required } of pairs) {
      for (const keyword of COPIED) {
        if (crd[keyword] !== undefined) expect(agent[keyword], `${at} ${keyword}`).toEqual(crd[keyword]);
      }
      expectDescription(agent, crd.description, required, at);
    }
  });

  it("has a violation for every bound it has, at every place it occurs in the answer", () => {
    expect(violations.length).toBeGreaterThanOrEqual(step.atLeast);
    const tested = [...new Set(violations.map((v) => v.bound))].sort();
    expect(tested).toEqual([...new Set(boundsOf(step.schema))].sort());
  });

  it.each(violations)("rejects $title", (v) => {
    expect(failuresOf(step.schema, v.answer)).toEqual(v.expected.map(failureKey).sort());
  });
});

describe("the violation walk", () => {
  it("covers the bounds named in the brief", () => {
    const keywords = new Set([...violationsByStep.values()].flat().map((v) => v.bound.split(" ")[1]));
    for (const keyword of ["type", "enum", "minLength", "maxLength", "pattern", "minItems", "maxItems", "required", "additionalProperties", "minProperties"]) {
      expect(keywords).toContain(keyword);
    }
  });

  it("reaches the optional objects (rollbackPlan, verification, both rbac lists, ExecutionVerification)", () => {
    const places = (step: string) => new Set(violationsByStep.get(step)!.map((v) => v.instancePath));
    const analysis = places("analysis (Default)");
    for (const path of ["/options/0/proposal/rollbackPlan/command", "/options/0/verification/steps/1/expected",
      "/options/0/rbac/namespaceScoped/0/resourceNames/0", "/options/0/rbac/clusterScoped/0/namespace", "/options/0/summary",
      "/options/0/proposal/reversible"]) {
      expect(analysis).toContain(path);
    }
    const execution = places("execution");
    for (const path of ["/verification/conditionOutcome", "/actionsTaken/0/error", "/actionsTaken/1/output"]) expect(execution).toContain(path);
  });
});

// ---- Persistability (A3): an answer without `success` is a valid status of its Result kind -----------------

/** Kubernetes' IsDNS1123Label and IsDNS1123Subdomain, for the rules of the CEL format library. */
const FORMAT_RULES: Record<string, (s: string) => boolean> = {
  "!format.dns1123Label().validate(self).hasValue()": (s) => s.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s),
  "!format.dns1123Subdomain().validate(self).hasValue()": (s) =>
    s.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s),
};

/** Evaluates the x-kubernetes-validations of `schema` on `value` (CEL rules without oldSelf); returns the broken ones. */
function celFailures(schema: JSONSchemaProps, value: unknown, path = "status"): { failures: string[]; evaluated: number } {
  const failures: string[] = [];
  let evaluated = 0;
  const walk = (node: JSONSchemaProps, v: unknown, at: string): void => {
    for (const { rule, message } of node["x-kubernetes-validations"] ?? []) {
      if (rule.includes("oldSelf")) continue;
      evaluated++;
      const format = FORMAT_RULES[rule];
      const result = format ? typeof v === "string" && format(v) : run(rule, { self: v as never });
      if (isCelError(result)) failures.push(`${at}: ${rule}: ${String(result)}`);
      else if (result !== true) failures.push(`${at}: ${message ?? rule}`);
    }
    if (Array.isArray(v) && node.items) v.forEach((item, i) => walk(node.items!, item, `${at}[${i}]`));
    if (isObject(v)) {
      for (const [name, child] of Object.entries(v)) {
        const declared = node.properties?.[name] ?? (typeof node.additionalProperties === "object" ? node.additionalProperties : undefined);
        if (declared) walk(declared, child, `${at}.${name}`);
      }
    }
  };
  walk(schema, value, path);
  return { failures, evaluated };
}

/** Why `status` could not be written as the status of `kind`: schema errors, pruned fields, broken CEL rules. */
function persistProblems(kind: string, status: unknown): { problems: string[]; celRules: number } {
  const schema = kindSchema(kind).properties!.status!;
  const validate = ajv.compile(toJsonSchema(schema));
  const problems = validate(status) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  problems.push(...findUnknownFields(status, schema).map((p) => `${p.join(".")} would be pruned`));
  const cel = celFailures(schema, status);
  problems.push(...cel.failures);
  return { problems, celRules: cel.evaluated };
}

const withoutSuccess = (answer: { success: boolean }): Record<string, unknown> => {
  const { success: _, ...status } = answer;
  return status;
};

describe("persistability (DECISIONS A3)", () => {
  it.each(STEPS)("the correct $name answer without success is a valid $kind status", (step) => {
    expect(persistProblems(step.kind, withoutSuccess(step.answer)).problems).toEqual([]);
  });

  it("evaluates the CRD's CEL rules on the answers (the diagnosis/proposal pairing and the DNS-label namespaces)", () => {
    const { celRules } = persistProblems("AnalysisResult", withoutSuccess(analysisAnswer));
    // 2 options x 2 pairing rules, plus 4 namespaces of RBAC rules.
    expect(celRules).toBe(8);
    const unpaired = { options: [{ title: "x", proposal: raiseMemoryLimit.proposal }] };
    expect(persistProblems("AnalysisResult", unpaired).problems).toEqual(["status.options[0]: diagnosis is required when proposal is present"]);
    const badNamespace = structuredClone(withoutSuccess(analysisAnswer)) as { options: RemediationOption[] };
    badNamespace.options[0]!.rbac!.namespaceScoped![0]!.namespace = "Payments";
    expect(persistProblems("AnalysisResult", badNamespace).problems).toContain("status.options[0].rbac.namespaceScoped[0].namespace: " +
      "must be a valid DNS label: lowercase alphanumeric characters and hyphens, starting with an alphabetic character and ending with an alphanumeric character");
  });
});

describe("DNS format rules as patterns", () => {
  /** The CRD status nodes carrying a DNS format rule, with the step schema nodes made from them. */
  const pairs = STEPS.flatMap((step) => nodePairs(step).flatMap(({ at, crd, agent }) => {
    const rule = crd["x-kubernetes-validations"]?.find((v) => PATTERN_RULES.includes(v.rule));
    return rule ? [{ where: `${step.name} ${at}`, rule: rule.rule, crd, agent }] : [];
  }));
  const SAMPLES = ["a", "0", "payments", "openshift-ingress", "a-b", "a--b", "9lives", "a.b", "a.b-c.d", "-a", "a-", "A", "Payments", "a_b",
    "a b", "", " a", "a\n", "\na", "a..b", ".a", "a.", "a".repeat(63), "a".repeat(64), `${"a".repeat(63)}.b`, "é"];

  it("finds the namespaces of RBAC rules", () => {
    expect(pairs.map((p) => p.where)).toEqual([
      "analysis (Default) /properties/options/items/properties/rbac/properties/namespaceScoped/items/properties/namespace",
      "analysis (Default) /properties/options/items/properties/rbac/properties/clusterScoped/items/properties/namespace",
    ]);
  });

  it.each(pairs)("$where accepts exactly the strings the CRD accepts", ({ rule, crd, agent }) => {
    const validateAgent = ajv.compile(agent);
    const validateCrd = ajv.compile(toJsonSchema(crd));
    for (const sample of SAMPLES) {
      expect(validateAgent(sample), JSON.stringify(sample)).toBe(validateCrd(sample) && FORMAT_RULES[rule]!(sample));
    }
  });
});

// ---- analysisOutputSchema (§13.2.3) ------------------------------------------------------------------------

/** The Proposals of examples/agentic.openshift.io/, by the part of their file name after `proposal-`. */
const EXAMPLES = "examples/agentic.openshift.io";
const proposalExamples = new Map(readdirSync(EXAMPLES)
  .filter((f) => /^proposal-.*\.yaml$/.test(f))
  .map((f) => [f.replace(/^proposal-(.*)\.yaml$/, "$1"), parse(readFileSync(join(EXAMPLES, f), "utf8")) as Proposal]));

function example(name: string): Proposal {
  const proposal = proposalExamples.get(name);
  if (!proposal) throw new Error(`no example proposal-${name}.yaml`);
  return structuredClone(proposal);
}

function withSpec(proposal: Proposal, spec: Partial<ProposalSpec>): Proposal {
  return { ...proposal, spec: { ...proposal.spec, ...spec } };
}

const optionOf = (schema: JsonSchema): JsonSchema => (schema.properties as Record<string, JsonSchema>).options!.items as JsonSchema;
const defaultProperties = optionOf(analysisDefaultOutputSchema).properties as Record<string, JsonSchema>;

/** The §13.2.3 example schema. */
const SEVERITY_SCHEMA = { type: "object", properties: { severity: { type: "string" } } };
/** The schema of examples/agentic.openshift.io/proposal-minimal-output.yaml. */
const minimalExample = example("minimal-output");
const CLASSIFICATION_SCHEMA = minimalExample.spec.analysisOutput!.schema!;

interface Shape {
  name: string;
  proposal: Proposal;
  required: string[];
  properties: string[];
  /** The messages of the Proposal CRD rules (R-P4, R-AO1) that reject it: the table's "code" column, never reached. */
  unreachable?: string[];
}

const analysisOnly = example("advisory");
const withExecution = example("trust-mode");
const withVerification = example("assisted");
const withBoth = example("remediation");
const DEFAULT_PROPERTIES = ["title", "summary", "diagnosis", "proposal", "verification", "rbac"];
const R_P4 = "analysisOutput mode Minimal is only allowed for analysis-only proposals (no execution or verification steps)";
const R_AO1 = "schema is required when mode is Minimal";
const minimal = (proposal: Proposal, schema?: Record<string, unknown>): Proposal =>
  withSpec(proposal, { analysisOutput: schema ? { mode: "Minimal", schema } : { mode: "Minimal" } });

const SHAPES: Shape[] = [
  // Default mode: the example Proposals as they are, then with the §13.2.3 example schema.
  { name: "analysis only (proposal-advisory)", proposal: analysisOnly, required: ["title", "diagnosis", "proposal"], properties: DEFAULT_PROPERTIES },
  { name: "+execution (proposal-trust-mode)", proposal: withExecution, required: ["title", "diagnosis", "proposal", "rbac"], properties: DEFAULT_PROPERTIES },
  { name: "+verification (proposal-assisted)", proposal: withVerification, required: ["title", "diagnosis", "proposal", "verification"], properties: DEFAULT_PROPERTIES },
  { name: "+execution +verification (proposal-remediation)", proposal: withBoth, required: ["title", "diagnosis", "proposal", "rbac", "verification"], properties: DEFAULT_PROPERTIES },
  ...[analysisOnly, withExecution, withVerification, withBoth].map((p, i): Shape => ({
    name: `${["analysis only", "+execution", "+verification", "+execution +verification"][i]} with schema (Default)`,
    proposal: withSpec(p, { analysisOutput: { mode: "Default", schema: SEVERITY_SCHEMA } }),
    required: [...[["title", "diagnosis", "proposal"], ["title", "diagnosis", "proposal", "rbac"], ["title", "diagnosis", "proposal", "verification"],
      ["title", "diagnosis", "proposal", "rbac", "verification"]][i]!, "components"],
    properties: [...DEFAULT_PROPERTIES, "components"],
  })),
  { name: "analysis only, analysisOutput: {} (Default)", proposal: withSpec(analysisOnly, { analysisOutput: {} }), required: ["title", "diagnosis", "proposal"], properties: DEFAULT_PROPERTIES },
  // Minimal mode.
  { name: "analysis only with schema (proposal-minimal-output, Minimal)", proposal: minimalExample, required: ["title", "components"], properties: ["title", "components"] },
  { name: "analysis only without schema (Minimal)", proposal: minimal(analysisOnly), required: ["title"], properties: ["title"], unreachable: [R_AO1] },
  { name: "+execution (Minimal)", proposal: minimal(withExecution), required: ["title", "proposal", "rbac"], properties: ["title", "proposal", "rbac"], unreachable: [R_P4, R_AO1] },
  { name: "+verification (Minimal)", proposal: minimal(withVerification), required: ["title", "verification"], properties: ["title", "verification"], unreachable: [R_P4, R_AO1] },
  { name: "+execution +verification (Minimal)", proposal: minimal(withBoth), required: ["title", "proposal", "rbac", "verification"],
    properties: ["title", "proposal", "verification", "rbac"], unreachable: [R_P4, R_AO1] },
  { name: "+execution with schema (Minimal)", proposal: minimal(withExecution, CLASSIFICATION_SCHEMA), required: ["title", "proposal", "rbac", "components"],
    properties: ["title", "proposal", "rbac", "components"], unreachable: [R_P4] },
  { name: "+verification with schema (Minimal)", proposal: minimal(withVerification, CLASSIFICATION_SCHEMA), required: ["title", "verification", "components"],
    properties: ["title", "verification", "components"], unreachable: [R_P4] },
  { name: "+execution +verification with schema (Minimal)", proposal: minimal(withBoth, CLASSIFICATION_SCHEMA),
    required: ["title", "proposal", "rbac", "verification", "components"], properties: ["title", "proposal", "verification", "rbac", "components"], unreachable: [R_P4] },
];

/** The CEL rules on the Proposal spec and its analysisOutput (no transition rules) that decide which shapes exist. */
function proposalRuleFailures(spec: ProposalSpec): string[] {
  const specSchema = kindSchema("Proposal").properties!.spec!;
  const withDefaults = structuredClone(spec);
  if (withDefaults.analysisOutput && withDefaults.analysisOutput.mode === undefined) withDefaults.analysisOutput.mode = "Default";
  const failures: string[] = [];
  const check = (node: JSONSchemaProps, value: unknown): void => {
    for (const { rule, message } of node["x-kubernetes-validations"] ?? []) {
      if (rule.includes("oldSelf")) continue;
      const result = run(rule, { self: value as never });
      if (isCelError(result)) throw new Error(`${rule}: ${String(result)}`);
      if (result !== true) failures.push(message ?? rule);
    }
  };
  check(specSchema, withDefaults);
  if (withDefaults.analysisOutput) check(specSchema.properties!.analysisOutput!, withDefaults.analysisOutput);
  return failures;
}

const components = { severity: "critical", category: "kubelet", affectedWorkloads: ["openshift-dns/dns-default"] };

/** A correct answer for a shape: the full options, with components, cut down to the shape's properties. */
function answerFor(shape: Shape): AnalysisAnswer {
  const extra = shape.proposal.spec.analysisOutput?.schema === SEVERITY_SCHEMA ? { severity: "high" } : components;
  const options = [raiseMemoryLimit, rollBack].map((option) => {
    const cut: RemediationOption = { ...structuredClone(option), components: extra };
    for (const key of Object.keys(cut) as (keyof RemediationOption)[]) {
      if (key !== "title" && !shape.properties.includes(key)) delete cut[key];
    }
    return cut;
  });
  return { success: true, options };
}

describe("analysisOutputSchema (agentic-api.md §13.2.3)", () => {
  it("uses every example Proposal", () => {
    expect([...proposalExamples.keys()].sort()).toEqual(["advisory", "assisted", "minimal-output", "remediation", "trust-mode"]);
  });

  describe.each(SHAPES)("$name", (shape) => {
    const schema = analysisOutputSchema(shape.proposal);
    const option = optionOf(schema);
    const userSchema = shape.proposal.spec.analysisOutput?.schema;

    it(shape.unreachable ? "is a Proposal the CRD rejects (unreachable)" : "is a Proposal the CRD's spec rules accept", () => {
      expect(proposalRuleFailures(shape.proposal.spec)).toEqual(shape.unreachable ?? []);
    });

    it("has the option required list and properties of the table", () => {
      expect(option.required).toEqual(shape.required);
      expect(Object.keys(option.properties as object).sort()).toEqual([...shape.properties].sort());
      for (const name of shape.properties) {
        const expected = name === "components" ? userSchema : defaultProperties[name];
        const { description, ...actual } = (option.properties as Record<string, JsonSchema>)[name]!;
        const { description: base, ...rest } = expected!;
        expect(actual, name).toEqual(rest);
        expectDescription({ description }, base as string | undefined, shape.required.includes(name), name);
      }
    });

    it("changes nothing else of its base schema", () => {
      const base = shape.proposal.spec.analysisOutput?.mode === "Minimal" ? analysisMinimalOutputSchema : analysisDefaultOutputSchema;
      const strip = (s: JsonSchema): JsonSchema => {
        const copy = structuredClone(s);
        const { properties: _, required: __, ...rest } = optionOf(copy);
        ((copy.properties as Record<string, JsonSchema>).options!).items = rest;
        return copy;
      };
      expect(strip(schema)).toEqual(strip(base));
    });

    it("accepts a correct answer, which can be persisted unless the shape is unreachable", () => {
      const answer = answerFor(shape);
      expect(failuresOf(schema, answer)).toEqual([]);
      const { problems } = persistProblems("AnalysisResult", withoutSuccess(answer));
      // Minimal with execution asks for proposal without diagnosis (R-RO2): only the table's unreachable "code" column does.
      if (shape.unreachable && shape.properties.includes("proposal")) expect(problems.length).toBeGreaterThan(0);
      else expect(problems).toEqual([]);
    });

    it.each(shape.required.filter((name) => name !== "title"))("rejects an option without %s", (name) => {
      const answer = answerFor(shape);
      Reflect.deleteProperty(answer.options![1]!, name);
      expect(failuresOf(schema, answer)).toEqual([`/options/1 required ${name}`]);
    });
  });

  it("enforces the injected components schema of proposal-minimal-output", () => {
    const schema = analysisOutputSchema(minimalExample);
    const answer = (c: unknown) => ({ success: true, options: [{ title: "Kubelet stopped on worker-3", components: c }] });
    expect(failuresOf(schema, answer(components))).toEqual([]);
    expect(failuresOf(schema, answer({ ...components, severity: "urgent" }))).toEqual(["/options/0/components/severity enum"]);
    expect(failuresOf(schema, answer({ severity: "info" }))).toEqual(["/options/0/components required category"]);
    expect(failuresOf(schema, answer({ ...components, affectedWorkloads: [42] }))).toEqual(["/options/0/components/affectedWorkloads/0 type"]);
    expect(failuresOf(schema, answer("critical"))).toEqual(["/options/0/components type"]);
    expect(failuresOf(schema, { success: true, options: [{ title: "Kubelet stopped on worker-3" }] })).toEqual(["/options/0 required components"]);
  });

  it("enforces the injected components schema in Default mode", () => {
    const schema = analysisOutputSchema(withSpec(withBoth, { analysisOutput: { schema: SEVERITY_SCHEMA } }));
    const option = { ...raiseMemoryLimit, components: { severity: "high" } };
    expect(failuresOf(schema, { success: true, options: [option] })).toEqual([]);
    expect(failuresOf(schema, { success: true, options: [{ ...option, components: { severity: 3 } }] })).toEqual(["/options/0/components/severity type"]);
    expect(failuresOf(schema, { success: true, options: [raiseMemoryLimit] })).toEqual(["/options/0 required components"]);
  });

  it("leaves the exported base schemas untouched", () => {
    const before = structuredClone([analysisDefaultOutputSchema, analysisMinimalOutputSchema]);
    for (const shape of SHAPES) {
      const schema = analysisOutputSchema(shape.proposal);
      const option = optionOf(schema);
      (option.required as string[]).push("mutated");
      for (const property of Object.values(option.properties as Record<string, JsonSchema>)) property.mutated = true;
    }
    expect([analysisDefaultOutputSchema, analysisMinimalOutputSchema]).toEqual(before);
  });

});

// ---- The JSON files are the TS constants -------------------------------------------------------------------

describe("generated/agentic.openshift.io/v1alpha1/agent-schemas/", () => {
  const folder = "generated/agentic.openshift.io/v1alpha1/agent-schemas";
  const constants: Record<string, JsonSchema> = {
    "analysis-default.json": analysisDefaultOutputSchema,
    "analysis-minimal.json": analysisMinimalOutputSchema,
    "execution.json": executionOutputSchema,
    "verification.json": verificationOutputSchema,
    "escalation.json": escalationOutputSchema,
  };

  it("holds one file per exported schema", () => {
    expect(readdirSync(folder).sort()).toEqual(Object.keys(constants).sort());
  });

  it.each(Object.keys(constants))("%s equals its TS constant apart from $schema and $comment", (file) => {
    const { $schema, $comment, ...schema } = JSON.parse(readFileSync(join(folder, file), "utf8")) as JsonSchema;
    expect($schema).toBe("http://json-schema.org/draft-07/schema#");
    expect($comment).toMatch(/^Generated by crdkit \(npm run generate\) from the status of \w+Result in crds\/agentic\.openshift\.io\/\w+\.yaml; do not edit\.$/);
    expect(schema).toEqual(constants[file]);
    expect(ajv.validateSchema(schema)).toBe(true);
  });
});
